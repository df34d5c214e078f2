-- A recursive CTE: the anchor is followed; the recursive reference is noted.
with recursive tree as (
    select id, parent_id, name, 1 as depth from org.units where parent_id is null
    union all
    select u.id, u.parent_id, u.name, tree.depth + 1 from org.units u join tree on u.parent_id = tree.id
)
select id, name, depth from tree
