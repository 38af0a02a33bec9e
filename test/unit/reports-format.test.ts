// Number, time and escaping helpers the reports share: fixed outputs, no locale, no timezone.
import { describe, expect, it } from "vitest";
import { formatCount, formatInstant, formatMs, formatOffset, formatShare } from "../../reports/format.ts";
import { escapeHtml, inlineJson, inlineScript, inlineStyle } from "../../reports/html/escape.ts";
import { xmlEscape } from "../../reports/junit.ts";
import { mdCode, mdText } from "../../reports/markdown.ts";

describe("formatting", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [26281, "26,281"],
    [-1234567, "-1,234,567"],
    [1234.5, "1,234.5"],
  ])("formatCount(%s) = %s", (n, s) => expect(formatCount(n)).toBe(s));

  it.each([
    [0, "0 %"],
    [0.3088, "30.9 %"],
    [0.0123, "1.23 %"],
    [0.0012, "0.12 %"],
    [0.00015, "0.015 %"],
    [0.000001, "<0.001 %"],
    [1, "100.0 %"],
    [Number.NaN, "n/a"],
  ])("formatShare(%s) = %s", (n, s) => expect(formatShare(n)).toBe(s));

  it.each([
    [0.84, "0.8 ms"],
    [5, "5 ms"],
    [41.2, "41 ms"],
    [1250, "1.25 s"],
    [14200, "14.2 s"],
    [125_000, "2m 05s"],
    [3_725_000, "1h 02m"],
  ])("formatMs(%s) = %s", (n, s) => expect(formatMs(n)).toBe(s));

  it("formats offsets and instants without a timezone or locale", () => {
    expect(formatOffset(95_000)).toBe("+1:35");
    expect(formatOffset(3_725_000)).toBe("+1:02:05");
    expect(formatInstant(Date.UTC(2025, 2, 14, 10, 0, 0))).toBe("2025-03-14T10:00:00Z");
    expect(formatInstant(Date.UTC(2025, 2, 14, 10, 0, 0, 250))).toBe("2025-03-14T10:00:00.250Z");
  });
});

describe("escaping", () => {
  const nasty = `</script><script>alert("x")</script> & 'q' <!-- |pipe| *b* _i_ \`tick\``;

  it("HTML text and attributes", () => {
    expect(escapeHtml(nasty)).not.toMatch(/[<>"']/);
    expect(escapeHtml(`a&b<c>"d"'e'`)).toBe("a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;");
  });

  it("inline JSON cannot close its script element and still parses to the same value", () => {
    const value = { detail: nasty, line: "a\u2028b" };
    const text = inlineJson(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("inline script and style bodies lose every closing tag, keeping the same meaning", () => {
    const js = `var s = "</script>"; var t = '</SCRIPT >'; // <!-- x`;
    const out = inlineScript(js);
    expect(out).not.toMatch(/<\/script/i);
    expect(out).not.toContain("<!--");
    expect(new Function(`${out}\nreturn [s, t];`)()).toEqual(["</script>", "</SCRIPT >"]);
    expect(inlineStyle("a::after{content:'</style>'}")).not.toMatch(/<\/style/i);
  });

  it("XML drops forbidden control characters and escapes the five specials", () => {
    expect(xmlEscape(`a<b>&"c"'d'\u0001\u0008e`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;e");
    expect(xmlEscape("line1\nline2")).toBe("line1&#10;line2");
  });

  it("Markdown text cannot make links, HTML, emphasis or extra table cells", () => {
    const out = mdText("[x](y) <b>bold</b> *em* a|b");
    expect(out).toBe("\\[x\\](y) &lt;b&gt;bold&lt;/b&gt; \\*em\\* a\\|b");
    expect(mdText("see http://127.0.0.1:8080/x?a=1 or www.example.org.")).toBe("see `http://127.0.0.1:8080/x?a=1` or `www.example.org`.");
    expect(mdCode("a`b|c")).toBe("``a`b\\|c``");
  });
});
