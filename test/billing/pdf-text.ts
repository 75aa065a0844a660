// pdf-parse 1.x has no types; its library entry avoids the package index's debug self-test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pdfParse = require('pdf-parse/lib/pdf-parse.js') as (data: Buffer) => Promise<{ text: string }>;

/** The text a PDF reader extracts from the document. */
export async function pdfText(pdf: Buffer): Promise<string> {
  return (await pdfParse(pdf)).text;
}
