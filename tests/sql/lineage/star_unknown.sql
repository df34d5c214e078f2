-- select * of a relation the catalog does not know: one `*` entry and a note.
select * from raw_listings
