/** A whole file that cannot be read as what it claims to be: one clear error, nothing imported. */
export class FileError extends Error {}

/** A table whose headers do not supply a required field: with what was found, so that a column mapping can be made. */
export class MissingColumnsError extends FileError {
  constructor(
    message: string,
    readonly columns: { headers: string[]; recognized: Record<string, string>; missing: string[] },
  ) {
    super(message);
  }
}
