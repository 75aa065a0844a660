import {
  decodeBackUnverified,
  encodeBack,
  hasValidSignature,
  ipnAcknowledgement,
  outcomeOfStatus,
  parseIpn,
  simplePaySignature,
} from './simplepay-protocol';

// Vectors computed outside this code from the documented rule (base64 of HMAC-SHA384 over
// the exact body): `printf '%s' "$body" | openssl dgst -sha384 -hmac "$key" -binary | base64`.
// The key and the messages are SimplePay's public test merchant and its documentation's examples.
const KEY = 'FxDa5w314kLlNseq2sKuVwaqZshZT5d6';
const START_BODY =
  '{"salt":"c1ca1d0e9fc2323b3dda7cf145e36f5e","merchant":"PUBLICTESTHUF","orderRef":"101010516348232058105","currency":"HUF",' +
  '"customerEmail":"sdk_test@otpmobil.com","language":"HU","sdkVersion":"SimplePayV2.1_Payment_PHP_SDK_2.0.7_190701:dd236896400d7463677a82a47f53e36e",' +
  '"methods":["CARD"],"total":"25","timeout":"2019-09-11T19:14:08+00:00","url":"https://sdk.simplepay.hu/back.php"}';
const START_SIGNATURE = 'AK07f7vkYvXbu2epBfDHVDWmkcEQs19vQazdrP8cNbJXQ3xLvW2/+jTVNLRiURFB';
const BACK_JSON = '{"r":0,"t":99844942,"e":"SUCCESS","m":"PUBLICTESTHUF","o":"101010514348932058085"}';
const BACK_R = 'eyJyIjowLCJ0Ijo5OTg0NDk0MiwiZSI6IlNVQ0NFU1MiLCJtIjoiUFVCTElDVEVTVEhVRiIsIm8iOiIxMDEwMTA1MTQzNDg5MzIwNTgwODUifQ==';
const BACK_S = 'LsmwynmqyV/JfVZQ7dx++3VPx39FVaBToP7kf7x1TXnMS3rGANEf1Vi/kPUWAKRl';
const IPN_BODY =
  '{"salt":"223G0O7Xc8YfLCSDDuaPyEhN4cnfm6bQ","orderRef":"101010515680292482600","method":"CARD","merchant":"PUBLICTESTHUF",' +
  '"finishDate":"2019-09-09T14:46:18+0200","paymentDate":"2019-09-09T14:41:13+0200","transactionId":99844942,"status":"FINISHED"}';
const ACK_SIGNATURE = 'yIwrnUoTwbHppk9qnCEGSK+A7WKOUVERmc/eWipkU8oQzffO73wcrjEeSYw6VGkf';

describe('SimplePay v2 signatures', () => {
  it('signs a start request as the documentation computes it', () => {
    expect(simplePaySignature(KEY, START_BODY)).toBe(START_SIGNATURE);
  });

  it('accepts the right signature and refuses a changed body, another key, or a malformed header', () => {
    expect(hasValidSignature(KEY, START_BODY, START_SIGNATURE)).toBe(true);
    expect(hasValidSignature(KEY, START_BODY.replace('"25"', '"26"'), START_SIGNATURE)).toBe(false);
    expect(hasValidSignature('another-secret-key', START_BODY, START_SIGNATURE)).toBe(false);
    expect(hasValidSignature(KEY, START_BODY, START_SIGNATURE.slice(1))).toBe(false);
    expect(hasValidSignature(KEY, START_BODY, '')).toBe(false);
    expect(hasValidSignature(KEY, START_BODY, undefined)).toBe(false);
  });

  it('encodes and decodes the browser return (r, s)', () => {
    expect(encodeBack(KEY, { r: 0, t: 99844942, e: 'SUCCESS', m: 'PUBLICTESTHUF', o: '101010514348932058085' })).toEqual({
      r: BACK_R,
      s: BACK_S,
    });
    const decoded = decodeBackUnverified(BACK_R);
    expect(decoded).toEqual({
      json: BACK_JSON,
      payload: { r: 0, t: 99844942, e: 'SUCCESS', m: 'PUBLICTESTHUF', o: '101010514348932058085' },
    });
    expect(hasValidSignature(KEY, decoded!.json, BACK_S)).toBe(true);
    expect(decodeBackUnverified(Buffer.from('not json').toString('base64'))).toBeNull();
    expect(decodeBackUnverified(Buffer.from('{"m":1}').toString('base64'))).toBeNull();
  });

  it('acknowledges an IPN by echoing it with receiveDate, re-signed', () => {
    const ack = ipnAcknowledgement(KEY, IPN_BODY, new Date('2019-09-09T12:46:20.123Z'));
    expect(ack.body).toBe(IPN_BODY.replace(/}$/, ',"receiveDate":"2019-09-09T12:46:20+00:00"}'));
    expect(ack.signature).toBe(ACK_SIGNATURE);
    expect(parseIpn(IPN_BODY)).toMatchObject({ merchant: 'PUBLICTESTHUF', orderRef: '101010515680292482600', status: 'FINISHED' });
    expect(parseIpn('{"merchant":"x"}')).toBeNull();
  });

  it('maps the transaction statuses', () => {
    expect(outcomeOfStatus('FINISHED')).toBe('succeeded');
    expect(outcomeOfStatus('NOTAUTHORIZED')).toBe('failed');
    expect(outcomeOfStatus('CANCELLED')).toBe('cancelled');
    expect(outcomeOfStatus('TIMEOUT')).toBe('expired');
    expect(outcomeOfStatus('INIT')).toBe('pending');
    expect(outcomeOfStatus('INPAYMENT')).toBe('pending');
  });
});
