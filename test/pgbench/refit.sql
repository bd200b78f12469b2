-- a group refitted from its stored points
\set g random(1, 1000)
UPDATE fits SET fit = (SELECT fit_power_law(points) FROM group_points WHERE grp = :g) WHERE grp = :g;
