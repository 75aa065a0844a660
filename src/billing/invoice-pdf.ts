import PDFDocument from 'pdfkit';
import { formatDate, formatMoney } from '../web/format';
import { Language, translate } from '../web/i18n';
import { InvoiceDetail } from './billing-queries.service';

/*
 * The invoice as a PDF, laid out after the summary page of the Hungarian uniform
 * utility invoice (Act CLXXXVIII of 2013): provider, customer and place of use, the
 * invoice's data, amount payable, line items, VAT summary, consumption and the
 * current payment state. Tagged for PDF/UA (structure tree in reading order,
 * language, title, header cells), in DejaVu Sans (every Hungarian letter) shipped by
 * the dejavu-fonts-ttf package. The creation date is the issue date, so the same
 * data always gives the same bytes.
 */

/*
 * Fonts by path, not registered names or Buffers: pdfkit caches a font under the path it was
 * opened with, and its tables restore the font by that same source after every cell; a Buffer
 * source is never cached, so each cell would parse the font file again (~10 times slower).
 */
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

/** What pdfkit keeps of an opened font: its per-document wrapper, around the fontkit font. */
interface OpenedFont {
  constructor: new (document: PDFKit.PDFDocument, font: unknown, id: string) => unknown;
  font: unknown;
}

/** The pdfkit internals the shared faces use (pdfkit has no public way to hand a document a parsed font). */
interface FontInternals {
  _font: OpenedFont | null;
  _fontFamilies: Record<string, unknown>;
  _fontCount: number;
}

let faces: Map<string, OpenedFont> | undefined;

/**
 * Hands the document DejaVu's two faces parsed once per process. pdfkit opens a font per
 * document: it reads the TTF again and fontkit decodes its tables again (kern, post with
 * 6,000 glyph names, GSUB, GPOS), about four fifths of the time an invoice took. A fontkit
 * font is not changed by use (tables and glyphs are decoded lazily, the same each time);
 * what records the glyphs a document uses, for its embedded subset, is pdfkit's wrapper,
 * which stays one per document. The output is the same bytes (invoice-pdf.spec.ts). If
 * a pdfkit release changes these internals, the document opens the fonts itself as before.
 */
function useSharedFaces(doc: PDFKit.PDFDocument): void {
  const internals = doc as unknown as FontInternals;
  if (typeof internals._fontFamilies !== 'object' || typeof internals._fontCount !== 'number') return;
  if (!faces) {
    const seed = new PDFDocument({ font: '' });
    faces = new Map([FONT, FONT_BOLD].map((path) => [path, (seed.font(path) as unknown as FontInternals)._font as OpenedFont] as const));
  }
  for (const [path, face] of faces) {
    if (typeof face?.constructor !== 'function' || !face.font) return;
    internals._fontFamilies[path] = new face.constructor(doc, face.font, `F${++internals._fontCount}`);
  }
}
const UNITS: Record<string, string> = { m3: 'm³', kWh: 'kWh', GJ: 'GJ' };

type Structure = ReturnType<PDFKit.PDFDocument['struct']>;

/** Decimal comma, at most `decimals` places, no trailing zeros ("12,5"). */
function decimal(value: number, decimals = 3): string {
  return String(Number(value.toFixed(decimals))).replace('.', ',');
}

/** "Számla_2014S000572.pdf" and its ASCII twin for old clients. */
export function invoiceFileName(invoiceNumber: string, lang: Language): { utf8: string; ascii: string } {
  const safeNumber = invoiceNumber.replace(/[^A-Za-z0-9._-]/g, '_');
  const word = translate(lang, 'billing.pdf.fileWord');
  return { utf8: `${word}_${safeNumber}.pdf`, ascii: `${word.normalize('NFD').replace(/[^\x20-\x7e]/g, '')}_${safeNumber}.pdf` };
}

/** `attachment`-free Content-Disposition (the browser shows it) with an RFC 5987 UTF-8 file name. */
export function contentDisposition(name: { utf8: string; ascii: string }): string {
  return `inline; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.utf8)}`;
}

export function renderInvoicePdf(invoice: InvoiceDetail, lang: Language = 'hu'): Promise<Buffer> {
  const t = (key: string, params?: Record<string, string | number>) => translate(lang, `billing.pdf.${key}`, params);
  const issued = new Date(`${invoice.issuedOn}T00:00:00Z`);
  const title = t('title', { number: invoice.invoiceNumber });
  const doc = new PDFDocument({
    // Not pdfkit's default Helvetica, which each document would parse (its AFM metrics) and never use.
    font: '',
    size: 'A4',
    margin: 48,
    pdfVersion: '1.7',
    // pdfkit supports PDF/UA (pdfuaid metadata); @types/pdfkit lists only the PDF/A subsets.
    subset: 'PDF/UA' as PDFKit.Mixins.PDFSubsets,
    tagged: true,
    lang: lang === 'hu' ? 'hu-HU' : 'en-GB',
    displayTitle: true,
    info: {
      Title: title,
      Author: invoice.company.name,
      Subject: title,
      Producer: 'Ügyfélportál',
      Creator: 'Ügyfélportál',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  useSharedFaces(doc);
  doc.font(FONT).fontSize(10);

  const document = doc.struct('Document');
  doc.addStructure(document);

  const heading = (level: 'H1' | 'H2', text: string) => {
    doc.moveDown(level === 'H1' ? 0 : 0.8);
    doc.font(FONT_BOLD).fontSize(level === 'H1' ? 16 : 12);
    doc.text(text, { structParent: document, structType: level });
    doc.font(FONT).fontSize(10);
    doc.moveDown(0.3);
  };
  const paragraph = (text: string, parent: Structure = document) => doc.text(text, { structParent: parent, structType: 'P' });

  /** A table with a header row (TH, scope column) or header column (TH, scope row), headers in bold. */
  const table = (
    rows: string[][],
    options: { headerRow?: boolean; headerColumn?: boolean; numeric?: number[]; widths?: Array<number | '*'> },
  ) => {
    const accessible: PDFKit.Mixins.TableOptionsWithData & { structParent: Structure } = {
      // pdfkit tags the table (Table, TR, TH/TD with scope) under this parent; @types/pdfkit does not list the option.
      structParent: document,
      columnStyles: (i: number) => ({ width: options.widths?.[i] ?? '*', align: { x: options.numeric?.includes(i) ? 'right' : 'left' } }),
      defaultStyle: { border: 0.5, borderColor: '#888888', padding: 4 },
      data: rows.map((row, r) =>
        row.map((text, c) => {
          const header = (options.headerRow && r === 0) || (options.headerColumn && c === 0);
          return header
            ? {
                text,
                type: 'TH' as const,
                scope: options.headerRow && r === 0 ? ('column' as const) : ('row' as const),
                font: { src: FONT_BOLD },
              }
            : { text, type: 'TD' as const };
        }),
      ),
    };
    doc.table(accessible);
    doc.moveDown(0.5);
  };

  heading('H1', title);
  paragraph(t('lead'));

  heading('H2', t('provider'));
  paragraph(invoice.company.name);

  heading('H2', t('customer'));
  const c = invoice.customer;
  paragraph(`${c.name} (${t('customerCode')}: ${c.code})`);
  paragraph(`${c.postcode} ${c.town}, ${c.address}`);
  if (invoice.servicePoint) {
    const sp = invoice.servicePoint;
    paragraph(`${t('placeOfUse')}: ${sp.postcode} ${sp.town}, ${sp.address}`);
  }

  heading('H2', t('invoiceData'));
  const periodEnd = new Date(Date.UTC(Number(invoice.period.slice(0, 4)), Number(invoice.period.slice(5, 7)), 0))
    .toISOString()
    .slice(0, 10);
  table(
    [
      [t('number'), invoice.invoiceNumber],
      [t('type'), translate(lang, `billing.type.${invoice.type}`)],
      [t('period'), `${formatDate(invoice.period)} – ${formatDate(periodEnd)}`],
      [t('issuedOn'), formatDate(invoice.issuedOn)],
      [t('dueOn'), formatDate(invoice.dueOn)],
      [t('paymentMethod'), translate(lang, `billing.paymentMethod.${c.paymentMethod}`)],
      [t('payable'), formatMoney(invoice.grossTotal)],
    ],
    { headerColumn: true, widths: [180, '*'] },
  );

  if (invoice.lines.length > 0) {
    heading('H2', t('lines'));
    table(
      [
        [t('line.description'), t('line.quantity'), t('line.unitPrice'), t('line.vatRate'), t('line.net'), t('line.vat'), t('line.gross')],
        ...invoice.lines.map((line) => [
          line.description,
          `${decimal(line.quantity)} ${UNITS[line.unit] ?? line.unit}`,
          `${decimal(line.unitPrice, 2)} Ft`,
          `${line.vatRate}%`,
          formatMoney(line.netAmount),
          formatMoney(line.vatAmount),
          formatMoney(line.grossAmount),
        ]),
      ],
      { headerRow: true, numeric: [1, 2, 3, 4, 5, 6], widths: ['*', 60, 62, 38, 58, 52, 60] },
    );
  }

  if (invoice.vatSummary.length > 0) {
    heading('H2', t('vatSummary'));
    table(
      [
        [t('line.vatRate'), t('line.net'), t('line.vat'), t('line.gross')],
        ...invoice.vatSummary.map((v) => [`${v.vatRate}%`, formatMoney(v.netAmount), formatMoney(v.vatAmount), formatMoney(v.grossAmount)]),
        [t('total'), formatMoney(invoice.totals.netAmount), formatMoney(invoice.totals.vatAmount), formatMoney(invoice.totals.grossAmount)],
      ],
      { headerRow: true, numeric: [1, 2, 3], widths: ['*', 100, 100, 100] },
    );
  }

  if (invoice.consumption !== null && invoice.consumptionUnit !== null) {
    heading('H2', t('consumption'));
    paragraph(`${decimal(invoice.consumption)} ${UNITS[invoice.consumptionUnit] ?? invoice.consumptionUnit}`);
  }

  heading('H2', t('state'));
  paragraph(`${t('status')}: ${translate(lang, `billing.status.${invoice.status}`)}`);
  paragraph(`${t('open')}: ${formatMoney(invoice.openAmount)}`);
  for (const payment of invoice.payments) {
    paragraph(t('payment', { date: formatDate(payment.confirmedAt), amount: formatMoney(payment.amount) }));
  }

  document.end();
  doc.end();
  return done;
}
