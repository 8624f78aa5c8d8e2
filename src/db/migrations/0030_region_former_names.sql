-- 曾用名: names a region was known by before a reform (芜湖县 → 湾沚区, 2020), still written in citizens' addresses
ALTER TABLE region ADD COLUMN former_names text[] NOT NULL DEFAULT '{}';

-- the demo city's reforms by their national codes (GB/T 2260), for databases seeded before this column existed
UPDATE region SET former_names = '{三山区}' WHERE code = '340209' AND name = '弋江区';
UPDATE region SET former_names = '{芜湖县}' WHERE code = '340210' AND name = '湾沚区';
UPDATE region SET former_names = '{繁昌县}' WHERE code = '340212' AND name = '繁昌区';
UPDATE region SET former_names = '{无为县}' WHERE code = '340281' AND name = '无为市';
