-- 曾用名: names a region was known by before a reform (芜湖县 → 湾沚区, 2020), still written in citizens' addresses
ALTER TABLE region ADD COLUMN former_names text[] NOT NULL DEFAULT '{}';
