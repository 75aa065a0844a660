import { renderMessageBody } from './message-body';

describe('renderMessageBody', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JAVASCRIPT:alert(1))',
    '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '<a href="javascript:alert(1)">x</a>',
    '![x](https://tracker.example/pixel.png)',
    '<iframe src="https://evil.example"></iframe>',
  ];

  it.each(attacks)('lets no markup or script link through from Markdown: %s', (source) => {
    const html = renderMessageBody('markdown', source);
    expect(html).not.toMatch(/<(script|img|iframe)\b/i);
    expect(html).not.toMatch(/href="(javascript|data|vbscript):/i);
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
  });

  it.each(attacks)('escapes everything in plain text: %s', (source) => {
    expect(renderMessageBody('plain', source)).not.toMatch(/<(?!\/?p>|br>)/);
  });

  it('renders Markdown emphasis, lists and safe links', () => {
    const html = renderMessageBody('markdown', '**Fontos:** a víz\n\n- hétfőn\n- kedden\n\n[Részletek](https://example.hu/a?b=1)');
    expect(html).toContain('<strong>Fontos:</strong>');
    expect(html).toContain('<li>hétfőn</li>');
    expect(html).toContain('<a href="https://example.hu/a?b=1" rel="noopener noreferrer nofollow">Részletek</a>');
  });

  it('keeps plain text paragraphs and line breaks', () => {
    expect(renderMessageBody('plain', 'Tisztelt Ügyfelünk!\n\nElső sor\nmásodik <sor> & más')).toBe(
      '<p>Tisztelt Ügyfelünk!</p>\n<p>Első sor<br>\nmásodik &lt;sor&gt; &amp; más</p>',
    );
  });
});
