import { renderCalendar } from './ical';

const NOW = new Date('2030-03-10T08:30:00.123Z');

describe('renderCalendar', () => {
  it('writes all-day events with an exclusive end, a stamp and an alarm, CRLF-separated', () => {
    const ics = renderCalendar(
      'Példa Távhő',
      [{ uid: 'window-7@portal', start: '2030-03-01', end: '2030-03-10', summary: 'Diktálás', remindDaysBefore: 1 }],
      NOW,
    );
    expect(ics.split('\r\n')).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Ugyfelportal//Calendar feed//HU',
      'CALSCALE:GREGORIAN',
      'X-WR-CALNAME:Példa Távhő',
      'BEGIN:VEVENT',
      'UID:window-7@portal',
      'DTSTAMP:20300310T083000Z',
      'DTSTART;VALUE=DATE:20300301',
      'DTEND;VALUE=DATE:20300311',
      'SUMMARY:Diktálás',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Diktálás',
      'TRIGGER:-P1D',
      'END:VALARM',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
  });

  it('escapes text and folds long lines at 75 octets without splitting a character', () => {
    const summary = `Számla; SZ-1, \\ ${'ő'.repeat(60)}\nvége`;
    const ics = renderCalendar('x', [{ uid: 'u', start: '2030-12-31', end: '2030-12-31', summary }], NOW);
    expect(ics).toContain('DTEND;VALUE=DATE:20310101');
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).toContain(`SUMMARY:Számla\\; SZ-1\\, \\\\ ${'ő'.repeat(60)}\\nvége`);
  });
});
