-- What an import has to tell beyond its counts (which worksheet of a workbook was read): the import page shows it, as the command line does.
ALTER TABLE import_batch ADD COLUMN notices text[] NOT NULL DEFAULT '{}';
