-- join and expressions
OUTPUT n AS SELECT COUNT(*) AS n FROM people p JOIN work w ON p.id = w.id
  WHERE p.region IN ('N', 'S') AND CASE WHEN p.income / 3 > 1.5 THEN TRUE ELSE p.born < DATE '2000-01-01' END;
/* stats */ OUTPUT o AS SELECT region, SUM(age > 3) AS n FROM people GROUP BY region;
