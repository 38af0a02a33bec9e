// Headless Chromium (Debian's, driven by playwright-core) for the report.html tests: one browser
// per suite, and a report opened offline from a file:// URL with every request, console
// error/warning and page error it caused recorded, once its page script says it is ready.
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

const CHROMIUM = "/usr/bin/chromium";

/** What report.html's page script publishes as window.__rtsoak. */
export interface PageState {
  ready: boolean;
  markers: number;
  events: number;
  charts: Array<{ id: string; series: number; points: number; values: number; markers: number; states?: number }>;
}

/** Launches Chromium in a beforeAll of the enclosing describe (or file) and closes it in its afterAll; the getter returns it in between. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("Chromium is not running (useChromium's beforeAll has not run)");
    return browser;
  };
}

export interface OpenedReport {
  page: Page;
  url: string;
  state: PageState;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
}

/** Opens a report.html file in a new 1280×900 page and waits for its charts to be drawn. The caller closes the page. */
export async function openReport(browser: Browser, htmlFile: string): Promise<OpenedReport> {
  const url = pathToFileURL(htmlFile).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  try {
    // (the callbacks run in the page: the casts stand in for the DOM lib this project compiles without)
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    await page.waitForFunction(() => (globalThis as unknown as { __rtsoak?: PageState }).__rtsoak?.ready === true, null, { timeout: 30_000 });
    const state = await page.evaluate(() => (globalThis as unknown as { __rtsoak: PageState }).__rtsoak);
    return { page, url, state, requests, problems };
  } catch (err) {
    await page.close();
    throw err;
  }
}
