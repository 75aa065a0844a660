/**
 * The demo records as plain data. Minta cég is the utility of the seed (the
 * utility's own description of its portal), with its customer SU0044 exactly as
 * the seed's screens show it; Példa Víziközmű is a second utility whose customers have no
 * portal account yet, so a newcomer can try the registration. Dates are
 * `YYYY-MM-DD` strings; money is whole forints.
 */

import { DemoLinePlan } from './invoice-lines';

export type PaymentMethod = 'postal_order' | 'bank_transfer' | 'direct_debit' | 'card';
export type MeterType = 'hot_water' | 'cold_water' | 'heat' | 'gas';
export type InvoiceType = 'district_heating' | 'hot_water' | 'water' | 'gas';
export type ClerkRole = 'clerk' | 'supervisor' | 'admin';
export type NotificationTopic =
  | 'reading_recorded'
  | 'address_changed'
  | 'contract_ended'
  | 'invoice_issued'
  | 'provider_reading_date'
  | 'reading_window_due'
  | 'payment_checked'
  | 'invoice_overdue'
  | 'due_date_reminder';

export interface DemoReading {
  readOn: string;
  value: number;
}

export interface DemoMeter {
  serialNumber: string;
  type: MeterType;
  unit: 'm3' | 'kWh' | 'GJ';
  calibratedAt: string;
  /** Normal, billable readings as the billing back office processed them. */
  readings: DemoReading[];
  /** Gets a reading window of its own covering the current month. */
  readingWindow: boolean;
}

export interface DemoInvoice {
  invoiceNumber: string;
  type: InvoiceType;
  /** First day of the billed month. */
  period: string;
  issuedOn: string;
  dueOn: string;
  grossTotal: number;
  openAmount: number;
  /** The invoice's own debt item (same open amount) is described like this. */
  debtDescription: string;
  /** The consumption billed, when the invoice bills a metered one. */
  consumption?: { value: number; unit: 'm3' | 'GJ' };
  /** How the gross total is split into lines (see invoice-lines.ts). */
  lines: DemoLinePlan[];
}

/** A debt item that is not an invoice's own: interest or a reminder fee. */
export interface DemoDebtItem {
  kind: 'interest' | 'reminder_fee';
  reference: string;
  description: string;
  bookedOn: string;
  amount: number;
  openAmount: number;
  /** Interest may point at the invoice it was charged on. */
  invoiceNumber?: string;
}

export interface DemoMessage {
  subject: string;
  body: string;
  /** A timestamp PostgreSQL parses, with its time zone. */
  publishedAt: string;
}

export interface DemoCustomer {
  code: string;
  name: string;
  email: string;
  phone: string | null;
  postcode: string;
  town: string;
  address: string;
  paymentMethod: PaymentMethod;
  eInvoice: boolean;
  meters: DemoMeter[];
  invoices: DemoInvoice[];
  otherDebts: DemoDebtItem[];
  messages: DemoMessage[];
  /** Every topic gets a row, so the settings page shows the demo's choices. */
  notifications: Record<NotificationTopic, boolean> | null;
  /** The portal login; null leaves the customer free to register. */
  account: { loginEmail: string; password: string } | null;
}

export interface DemoClerk {
  email: string;
  name: string;
  role: ClerkRole;
  password: string;
  /** A second factor enrolled in advance (printed by the loader); none: the clerk enrols one at the first login. */
  totpSecret?: string;
}

export interface DemoCompany {
  code: string;
  name: string;
  customers: DemoCustomer[];
  clerks: DemoClerk[];
  /** Messages to every customer of the company. */
  messages: DemoMessage[];
  /** Gets a company-wide reading window covering the current month. */
  readingWindow: boolean;
}

export const DEMO_CUSTOMER_PASSWORD = 'Minta-Jelszo-2014';
export const DEMO_CLERK_PASSWORD = 'Ugyintezo-Demo-2014';
/**
 * The demo clerk's and supervisor's second factor, enrolled in advance so the demo works at
 * once: the loader prints it to add to an authenticator app. Public, like the password.
 */
export const DEMO_CLERK_TOTP_SECRET = 'CEKTC3ZAKEXXCK2LEFDF4XI2PYOVGYY7';

const MINTA_ADDRESS = { postcode: '6600', town: 'Minta település', address: 'Minta tér G.ép. 9.em. 48.' };

/** Minta's reminder fees from the seed's second debt table; the blank "Befizetés" cells are still open. */
const MINTA_REMINDER_FEES: Array<[reference: string, reminder: string, bookedOn: string, amount: number, paid: boolean]> = [
  ['K91781', '2013001185', '2013-11-15', 550, true],
  ['K94016', '2013001395', '2013-12-16', 550, true],
  ['K96244', '2014000105', '2014-01-20', 550, true],
  ['K99738', '2014000295', '2014-03-17', 550, false],
  ['K103891', '2014000475', '2014-05-15', 305, false],
  ['K108817', '2014000555', '2014-06-16', 570, true],
  ['K112286', '2014000715', '2014-07-15', 570, false],
  ['K116896', '2014000875', '2014-08-15', 570, false],
  ['K118901', '2014001025', '2014-09-15', 570, false],
  ['K122172', '2014001185', '2014-10-15', 570, false],
];

/**
 * A district-heating invoice: the monthly base fee, the heat fee and, when the month
 * has a hot-water reading, the heating of that water (hot water in m³).
 */
function districtHeatingInvoice(
  invoiceNumber: string,
  period: string,
  issuedOn: string,
  dueOn: string,
  grossTotal: number,
  openAmount: number,
  hotWaterM3?: number,
): DemoInvoice {
  const month = period.slice(0, 7).replace('-', '/');
  const heatShare = hotWaterM3 === undefined ? 0.6 : 0.45;
  return {
    invoiceNumber,
    type: 'district_heating',
    period,
    issuedOn,
    dueOn,
    grossTotal,
    openAmount,
    debtDescription: `Távhő számla:${invoiceNumber} (${month})`,
    ...(hotWaterM3 === undefined ? {} : { consumption: { value: hotWaterM3, unit: 'm3' as const } }),
    lines: [
      { description: 'Távhő alapdíj', quantity: 1, unit: 'hó', share: 0.4 },
      // The heat billed: the share of the building's heat meter, in GJ.
      {
        description: 'Fűtési hődíj',
        quantity: Math.round(((grossTotal * heatShare) / 1.05 / 5914.8) * 1000) / 1000,
        unit: 'GJ',
        share: heatShare,
      },
      ...(hotWaterM3 === undefined
        ? []
        : [{ description: 'Használati melegvíz felmelegítése', quantity: hotWaterM3, unit: 'm3', share: 0.15 }]),
    ],
  };
}

export const MINTA: DemoCompany = {
  code: 'minta',
  name: 'Minta cég',
  readingWindow: false,
  clerks: [
    {
      email: 'ugyintezo@minta.local',
      name: 'Minta Ügyintéző',
      role: 'clerk',
      password: DEMO_CLERK_PASSWORD,
      totpSecret: DEMO_CLERK_TOTP_SECRET,
    },
    {
      email: 'csoportvezeto@minta.local',
      name: 'Minta Csoportvezető',
      role: 'supervisor',
      password: DEMO_CLERK_PASSWORD,
      totpSecret: DEMO_CLERK_TOTP_SECRET,
    },
    { email: 'admin@minta.local', name: 'Minta Rendszergazda', role: 'admin', password: DEMO_CLERK_PASSWORD },
  ],
  messages: [
    {
      subject: 'Elindult az elektronikus ügyfélportál',
      body:
        'Tisztelt Ügyfelünk! Társaságunk új, web alapú elektronikus ügyfélportált indított. A portálon megtekintheti számláit és ' +
        'tartozásait, bankkártyával fizethet, bejelentheti mérőóraállását, és igényelheti az e-számlát.',
      publishedAt: '2016-10-01 08:00:00 Europe/Budapest',
    },
  ],
  customers: [
    {
      code: 'SU0044',
      name: 'Minta Ügyfél',
      email: 'demo@ugyfelportal.local',
      phone: '+36 63 555 0044',
      ...MINTA_ADDRESS,
      paymentMethod: 'postal_order',
      eInvoice: false,
      meters: [
        {
          serialNumber: '37461',
          type: 'hot_water',
          unit: 'm3',
          calibratedAt: '2007-11-30',
          readingWindow: true,
          readings: [
            { readOn: '2014-05-31', value: 1056 },
            { readOn: '2014-06-30', value: 1059 },
            { readOn: '2014-07-31', value: 1063 },
            { readOn: '2014-08-31', value: 1065 },
            { readOn: '2014-09-30', value: 1068 },
            { readOn: '2014-10-31', value: 1073 },
          ],
        },
      ],
      invoices: [
        // The seed names this one only as a debt: "S:2013S000514 (2013/09)", 66 365 Ft, paid.
        {
          ...districtHeatingInvoice('2013S000514', '2013-09-01', '2013-09-12', '2013-09-30', 66365, 0),
          debtDescription: 'S:2013S000514 (2013/09)',
        },
        // Hot water of the billed month from the meter's readings (2014.08: 1065 − 1063 m³, …).
        districtHeatingInvoice('2014S000408', '2014-08-01', '2014-08-12', '2014-08-31', 25465, 0, 2),
        districtHeatingInvoice('2014S000460', '2014-09-01', '2014-09-12', '2014-09-30', 22592, 0, 3),
        districtHeatingInvoice('2014S000514', '2014-10-01', '2014-10-13', '2014-10-31', 25785, 0, 5),
        districtHeatingInvoice('2014S000572', '2014-11-01', '2014-11-12', '2014-11-30', 38837, 38837),
      ],
      otherDebts: [
        {
          kind: 'interest',
          reference: '2013S000514 Kamat',
          description: 'Távhő számla:2013S000514 Kamat (2014.11.10)',
          bookedOn: '2014-11-10',
          amount: 2254,
          openAmount: 0,
          invoiceNumber: '2013S000514',
        },
        ...MINTA_REMINDER_FEES.map(([reference, reminder, bookedOn, amount, paid]): DemoDebtItem => ({
          kind: 'reminder_fee',
          reference,
          description: `${reference} Fiz.felsz:${reminder} Minden hátralék fel`,
          bookedOn,
          amount,
          openAmount: paid ? 0 : amount,
        })),
      ],
      messages: [
        {
          subject: 'Fizetési emlékeztető: 2014S000572',
          body:
            'Tisztelt Minta Ügyfél! Emlékeztetjük, hogy a 2014S000572 számú távhőszámla (38 837 Ft) fizetési határideje ' +
            '2014.11.30. A számlát a portálon bankkártyával is kiegyenlítheti.',
          publishedAt: '2014-11-20 09:00:00 Europe/Budapest',
        },
      ],
      notifications: {
        reading_recorded: true,
        address_changed: true,
        contract_ended: false,
        invoice_issued: true,
        provider_reading_date: false,
        reading_window_due: true,
        payment_checked: false,
        invoice_overdue: true,
        due_date_reminder: true,
      },
      account: { loginEmail: 'demo@ugyfelportal.local', password: DEMO_CUSTOMER_PASSWORD },
    },
  ],
};

/** `YYYY-MM-DD` of the first day of the month `offset` months from the month of `date`. */
export function monthStart(date: string, offset = 0): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + offset;
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` of the last day of the month of `date`. */
export function monthEnd(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

const BASE_FEE = 1620;
const PRICE_PER_M3 = 843;

/** Water and sewage per m³ plus the monthly base fee, net; 27% VAT on top. */
function waterGross(consumption: number): number {
  return Math.round((BASE_FEE + consumption * PRICE_PER_M3) * 1.27);
}

interface PeldaCustomerPlan {
  code: string;
  name: string;
  email: string;
  address: string;
  serialNumber: string;
  calibratedAt: string;
  firstValue: number;
  /** Monthly consumption in m³ of the six billed months, oldest first. */
  consumption: number[];
  /** How many of the newest invoices are still unpaid. */
  unpaidInvoices: number;
}

const PELDA_PLANS: PeldaCustomerPlan[] = [
  {
    code: 'PV0001',
    name: 'Példa Péter',
    email: 'pelda.peter@ugyfelportal.local',
    address: 'Fő utca 12.',
    serialNumber: 'VZ-210455',
    calibratedAt: '2021-03-15',
    firstValue: 412,
    consumption: [7, 6, 8, 9, 7, 6],
    unpaidInvoices: 1,
  },
  {
    code: 'PV0002',
    name: 'Példa Piroska',
    email: 'pelda.piroska@ugyfelportal.local',
    address: 'Kossuth Lajos utca 3. 2/5.',
    serialNumber: 'VZ-210456',
    calibratedAt: '2022-06-30',
    firstValue: 233,
    consumption: [4, 5, 3, 4, 5, 4],
    unpaidInvoices: 2,
  },
];

/** Invoice numbers say the billed month and the customer, e.g. PV202610-0001. */
function peldaInvoiceNumber(period: string, code: string): string {
  return `PV${period.slice(0, 4)}${period.slice(5, 7)}-${code.slice(2)}`;
}

function peldaCustomer(plan: PeldaCustomerPlan, today: string): DemoCustomer {
  // Six billed months ending with last month; each is invoiced on the 1st of the next month.
  const periods = plan.consumption.map((_, i) => monthStart(today, i - plan.consumption.length));
  const readings: DemoReading[] = [{ readOn: addDays(periods[0], -1), value: plan.firstValue }];
  const invoices: DemoInvoice[] = [];
  let value = plan.firstValue;
  periods.forEach((period, i) => {
    value += plan.consumption[i];
    readings.push({ readOn: monthEnd(period), value });
    const grossTotal = waterGross(plan.consumption[i]);
    const issuedOn = monthStart(period, 1);
    const invoiceNumber = peldaInvoiceNumber(period, plan.code);
    invoices.push({
      invoiceNumber,
      type: 'water',
      period,
      issuedOn,
      dueOn: addDays(issuedOn, 14),
      grossTotal,
      openAmount: i >= periods.length - plan.unpaidInvoices ? grossTotal : 0,
      debtDescription: `Vízdíj számla:${invoiceNumber} (${period.slice(0, 7).replace('-', '/')})`,
      consumption: { value: plan.consumption[i], unit: 'm3' },
      lines: [
        {
          description: 'Víz- és csatornadíj alapdíj',
          quantity: 1,
          unit: 'hó',
          share: BASE_FEE / (BASE_FEE + plan.consumption[i] * PRICE_PER_M3),
        },
        { description: 'Víz- és csatornadíj', quantity: plan.consumption[i], unit: 'm3', share: 1 },
      ],
    });
  });
  const otherDebts: DemoDebtItem[] = [];
  if (plan.unpaidInvoices > 1) {
    const overdue = invoices[invoices.length - plan.unpaidInvoices];
    otherDebts.push({
      kind: 'reminder_fee',
      reference: `F${overdue.invoiceNumber}`,
      description: `Fizetési felszólítás: ${overdue.invoiceNumber}`,
      bookedOn: addDays(overdue.dueOn, 10),
      amount: 570,
      openAmount: 570,
    });
  }
  return {
    code: plan.code,
    name: plan.name,
    email: plan.email,
    phone: null,
    postcode: '8000',
    town: 'Példaváros',
    address: plan.address,
    paymentMethod: 'bank_transfer',
    eInvoice: false,
    meters: [
      {
        serialNumber: plan.serialNumber,
        type: 'cold_water',
        unit: 'm3',
        calibratedAt: plan.calibratedAt,
        readingWindow: false,
        readings,
      },
    ],
    invoices,
    otherDebts,
    messages: [],
    notifications: null,
    account: null,
  };
}

/** Példa Víziközmű: its invoices are the last six months relative to `today`, so one is always recent enough to register with. */
export function peldaCompany(today: string): DemoCompany {
  return {
    code: 'pelda',
    name: 'Példa Víziközmű',
    readingWindow: true,
    clerks: [],
    messages: [
      {
        subject: 'Vízmérő-leolvasás a portálon',
        body: 'Tisztelt Ügyfelünk! Vízmérője állását ebben a hónapban a portálon is bejelentheti, a Mérőóraállás bejelentése menüpontban.',
        publishedAt: `${monthStart(today)} 08:00:00 Europe/Budapest`,
      },
    ],
    customers: PELDA_PLANS.map((plan) => peldaCustomer(plan, today)),
  };
}

/** The invoice a newcomer can register PV0001 with: its newest. */
export function registrationInvoice(company: DemoCompany): { customerCode: string; invoice: DemoInvoice } {
  const customer = company.customers[0];
  return { customerCode: customer.code, invoice: customer.invoices[customer.invoices.length - 1] };
}

/** Every demo company, as of `today` (`YYYY-MM-DD`). */
export function demoCompanies(today: string): DemoCompany[] {
  return [MINTA, peldaCompany(today)];
}
