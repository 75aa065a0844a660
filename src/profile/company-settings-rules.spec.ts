import { checkCompanySettings } from './company-settings-rules';

const KINDS = ['meter_reading', 'data_change', 'e_invoice'];

describe('checkCompanySettings', () => {
  it('takes a form’s single values and lists, in the portal’s order, with empty days as the default', () => {
    expect(
      checkCompanySettings(
        {
          editableFields: ['phone', 'email'],
          paymentMethods: 'card',
          answerDays: { data_change: ' 10 ', e_invoice: '', meter_reading: 5 },
        },
        KINDS,
      ),
    ).toEqual({
      ok: true,
      value: {
        editableFields: ['email', 'phone'],
        paymentMethods: ['card'],
        answerDays: new Map([
          ['data_change', 10],
          ['e_invoice', null],
          ['meter_reading', 5],
        ]),
      },
    });
  });

  it('lets a company allow no online change at all', () => {
    expect(checkCompanySettings({ editableFields: undefined, paymentMethods: ['postal_order'], answerDays: {} }, KINDS)).toMatchObject({
      ok: true,
      value: { editableFields: [] },
    });
  });

  it('refuses unknown fields, methods and kinds, no payment method, and days outside 1–365, all at once', () => {
    const result = checkCompanySettings(
      {
        editableFields: ['phone', 'password'],
        paymentMethods: [],
        answerDays: { data_change: '0', e_invoice: '366', meter_reading: '2.5', water_quality: '3' },
      },
      KINDS,
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { field: 'editableFields', code: 'unknown_field' },
        { field: 'paymentMethods', code: 'no_payment_method' },
        { field: 'answerDays.data_change', code: 'invalid_answer_days' },
        { field: 'answerDays.e_invoice', code: 'invalid_answer_days' },
        { field: 'answerDays.meter_reading', code: 'invalid_answer_days' },
        { field: 'answerDays.water_quality', code: 'unknown_kind' },
      ],
    });
  });

  it.each([
    [{ editableFields: 'email', paymentMethods: ['cash'], answerDays: {} }, 'paymentMethods', 'unknown_payment_method'],
    [{ editableFields: [1], paymentMethods: ['card'], answerDays: {} }, 'editableFields', 'unknown_field'],
    [{ editableFields: [], paymentMethods: ['card'], answerDays: { data_change: true } }, 'answerDays.data_change', 'invalid_answer_days'],
    [{ editableFields: [], paymentMethods: ['card'], answerDays: { data_change: 1.5 } }, 'answerDays.data_change', 'invalid_answer_days'],
  ])('refuses %j', (input, field, code) => {
    expect(checkCompanySettings(input, KINDS)).toEqual({ ok: false, errors: [expect.objectContaining({ field, code })] });
  });
});
