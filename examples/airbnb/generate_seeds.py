#!/usr/bin/env python3
"""Writes the Airbnb example's seed CSVs: deterministic (a fixed random seed), a few thousand rows, and clean:
every data test of the project passes on them. Faults are injected later by `cowork demo inject`.

usage: generate_seeds.py [SEEDS_DIR]   (default: the seeds folder beside this script)"""
import csv
import datetime
import math
import random
import sys
from pathlib import Path

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "seeds"
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20240615)

FIRST = ["Anna", "Ben", "Clara", "Daniel", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Klara", "Lukas", "Mia",
         "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Simon", "Tara", "Uwe", "Vera", "Wim", "Xenia", "Yusuf", "Zoe"]
LAST = ["Schmidt", "Meyer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krueger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann"]
AREAS = ["Mitte", "Kreuzberg", "Neukoelln", "Prenzlauer Berg", "Friedrichshain", "Charlottenburg", "Schoeneberg",
         "Wedding", "Moabit", "Pankow"]
KINDS = ["Cozy studio", "Bright apartment", "Quiet room", "Loft", "Family flat", "Garden room", "Penthouse",
         "Attic room", "Canal-side flat", "Artist's studio"]
ROOM_TYPES = [("Entire home/apt", 55), ("Private room", 38), ("Shared room", 4), ("Hotel room", 3)]
PHRASES = {
    "positive": ["Great location and a lovely host.", "Spotless, would stay again!", "Exactly as described.",
                 "Perfect for a weekend in the city.", "The host gave us wonderful tips."],
    "neutral": ["It was okay for the price.", "Fine place, a bit noisy at night.", "Check-in took a while.",
                "Average stay, nothing special."],
    "negative": ["Not as clean as the photos.", "The heating did not work.", "Host was hard to reach.",
                 "Too loud to sleep."],
}
START = datetime.datetime(2009, 6, 1)


def when(days_from, days_to):
    day = START + datetime.timedelta(days=rng.randint(days_from, days_to), seconds=rng.randint(0, 86399))
    return day.replace(microsecond=0)


def weighted(options):
    total = sum(w for _, w in options)
    pick = rng.uniform(0, total)
    for value, weight in options:
        pick -= weight
        if pick <= 0:
            return value
    return options[-1][0]


hosts = []
for host_id in range(1, 501):
    created = when(0, 4000)
    updated = created + datetime.timedelta(days=rng.randint(0, 800))
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    hosts.append([host_id, name, "t" if rng.random() < 0.3 else "f", created, updated])

listings = []
for listing_id in range(1001, 2501):
    host = rng.choice(hosts)
    created = host[3] + datetime.timedelta(days=rng.randint(1, 600))
    updated = created + datetime.timedelta(days=rng.randint(0, 900))
    room = weighted(ROOM_TYPES)
    base = {"Entire home/apt": 95, "Private room": 45, "Shared room": 25, "Hotel room": 110}[room]
    price = round(base * rng.uniform(0.6, 2.2), 0)
    name = f"{rng.choice(KINDS)} in {rng.choice(AREAS)}"
    listings.append([listing_id, f"https://www.airbnb.com/rooms/{listing_id}", name, room, rng.choice([1, 1, 2, 2, 3, 4, 5, 7, 14, 30]),
                     host[0], f"${price:.2f}", created, updated])

reviews = []
seen = set()
last_day = datetime.date(2024, 6, 30)
while len(reviews) < 6000:
    listing = rng.choice(listings)
    first = listing[7].date() + datetime.timedelta(days=1)
    if first >= last_day:
        continue
    day = first + datetime.timedelta(days=rng.randint(0, (last_day - first).days))
    sentiment = weighted([("positive", 62), ("neutral", 25), ("negative", 13)])
    reviewer = rng.choice(FIRST)
    key = (listing[0], day, reviewer)
    if key in seen:
        continue
    seen.add(key)
    reviews.append([listing[0], day, reviewer, rng.choice(PHRASES[sentiment]), sentiment])
reviews.sort(key=lambda r: (r[1], r[0], r[2]))

# Full moons, from a reference new moon and the synodic month; dates only, as in the original dataset.
full_moons = []
new_moon = datetime.datetime(2009, 1, 26, 7, 55)
synodic = 29.530588853
for k in range(0, 200):
    moment = new_moon + datetime.timedelta(days=synodic * k + synodic / 2)
    if moment.date() > datetime.date(2025, 1, 1):
        break
    full_moons.append([moment.date()])


def write(name, header, rows):
    with open(out / name, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime.datetime) else v for v in row])


write("raw_hosts.csv", ["id", "name", "is_superhost", "created_at", "updated_at"], hosts)
write("raw_listings.csv", ["id", "listing_url", "name", "room_type", "minimum_nights", "host_id", "price",
                           "created_at", "updated_at"], listings)
write("raw_reviews.csv", ["listing_id", "date", "reviewer_name", "comments", "sentiment"], reviews)
write("seed_full_moon_dates.csv", ["full_moon_date"], full_moons)
print(f"{len(hosts)} hosts, {len(listings)} listings, {len(reviews)} reviews, {len(full_moons)} full moons -> {out}")
