/**
 * RFC 4180 CSV records, fed one physical line at a time: fields are separated by commas; a field
 * that starts with a double quote runs to the matching closing quote and may hold commas, line
 * breaks and doubled quotes ("" for one "). Lenient where the RFC is silent, like Python's csv
 * module: a quote inside an unquoted field is an ordinary character, and characters between a
 * closing quote and the next comma are appended to the field. A line break inside quotes is kept
 * as it was in the file ("\n" or "\r\n"); the "\r" of a CRLF record end is dropped.
 */
export class CsvRecordParser {
  /** Fields of the record completed by the last `feed` that returned true. */
  fields: string[] = [];
  /** True while a quoted field is open at the end of the lines fed so far. */
  inQuotes = false;
  private field = "";
  private fieldStart = true;

  /**
   * Feeds one line (without its "\n"); returns true when it completes the record, false when the
   * record goes on in the next line (a quoted field is open).
   */
  feed(line: string): boolean {
    let end = line.length;
    const cr = end > 0 && line.charCodeAt(end - 1) === 13;
    if (cr) end--;
    let i = 0;
    while (i < end) {
      if (this.inQuotes) {
        const q = line.indexOf('"', i);
        if (q === -1 || q >= end) {
          this.field += line.slice(i, end);
          i = end;
          break;
        }
        this.field += line.slice(i, q);
        if (q + 1 < end && line.charCodeAt(q + 1) === 34) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      if (this.fieldStart && line.charCodeAt(i) === 34) {
        this.inQuotes = true;
        this.fieldStart = false;
        i++;
        continue;
      }
      // Unquoted text up to the next comma.
      const comma = line.indexOf(",", i);
      const stop = comma === -1 || comma >= end ? end : comma;
      if (stop > i) this.field += line.slice(i, stop);
      this.fieldStart = false;
      i = stop;
      if (stop === comma) {
        this.fields.push(this.field);
        this.field = "";
        this.fieldStart = true;
        i = comma + 1;
      }
    }
    if (this.inQuotes) {
      this.field += cr ? "\r\n" : "\n";
      return false;
    }
    this.fields.push(this.field);
    this.field = "";
    this.fieldStart = true;
    return true;
  }

  /** Ends a record whose quoted field was never closed (the file ended inside it). */
  finishOpen(): void {
    // The line break after the last line was added by feed; it was not in the file.
    if (this.field.endsWith("\r\n")) this.field = this.field.slice(0, -2);
    else if (this.field.endsWith("\n")) this.field = this.field.slice(0, -1);
    this.fields.push(this.field);
    this.field = "";
    this.fieldStart = true;
    this.inQuotes = false;
  }

  /** Starts a new record (call after reading `fields`). */
  reset(): void {
    this.fields = [];
  }

  /** Characters held for the open record (to guard against a runaway quoted field). */
  get pendingLength(): number {
    return this.field.length;
  }
}
