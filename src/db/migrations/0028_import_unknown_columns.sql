-- The columns (or keys) an import did not understand: the import page names them, as the command line and the API do.
ALTER TABLE import_batch ADD COLUMN unknown_columns text[] NOT NULL DEFAULT '{}';
