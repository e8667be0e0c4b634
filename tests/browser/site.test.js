// Real-browser tests of the Tegenkracht site.
//
// Starts the real server binary on the starter content (the repository's
// content/ at git HEAD, as `tegenkracht serve` does without configuration),
// opens every page type in Debian's Chromium through playwright-core and
// checks: zero axe violations for WCAG 2.1 A and AA at desktop and phone
// width, no horizontal scrolling at phone width, no CSP or loading errors,
// keyboard-only use of the search and its filters, and the Nu HTML Checker
// on every page's HTML. Screenshots of every page at 1280 and 375 pixels
// wide go to artifacts/.
//
// Environment: TEGENKRACHT_BIN (default ../../target/debug/tegenkracht),
// CHROMIUM_PATH (default /usr/bin/chromium), JAVA (default java).

import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { validate, compileErrors } from "@readme/openapi-parser";
import { remark } from "remark";
import remarkFrontmatter from "remark-frontmatter";
import remarkLintFrontmatterSchema from "remark-lint-frontmatter-schema";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
const artifacts = join(here, "artifacts");
const htmlDir = join(artifacts, "html");
const binary = resolve(here, process.env.TEGENKRACHT_BIN || "../../target/debug/tegenkracht");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const vnuJar = createRequire(import.meta.url)("vnu-jar");

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS = [
  { name: "1280", width: 1280, height: 900 },
  { name: "375", width: 375, height: 740 },
];

/** Bearer tokens of the test configuration, by reader. */
const TOKENS = { netwerk: "browser-token-limburg", liec: "browser-token-liec" };
const sha256 = (t) => createHash("sha256").update(t).digest("hex");

/** A small regional source beside the starter content: restricted dossiers and a contact. */
function writeExampleSource(dir) {
  const dossier = (titel, toegang, extra, body) =>
    `---\ntitel: ${titel}\ntype: praktijk\nregio: limburg\nthemas: [vastgoed]\nsamenvatting: Een voorbeelddossier van de browsertoets, met genoeg tekst om geldig te zijn.\ntoegang: ${toegang}\n${extra}---\n\n## Aanpak\n\n${body}\n`;
  mkdirSync(join(dir, "dossiers", "limburg"), { recursive: true });
  writeFileSync(join(dir, "dossiers/limburg/browser-netwerkdossier.md"), dossier("Netwerkdossier browsertoets", "netwerk", "", "Alleen voor netwerkpartners: browsertoets."));
  writeFileSync(join(dir, "dossiers/limburg/browser-regiodossier.md"), dossier("Regiodossier browsertoets", "regio", "", "Alleen voor Limburg: browsertoets."));
  const contact = "contact:\n  organisatie: Gemeente Voorbeeld\n  functie: projectleider\n  email: projectleider@voorbeeld.example\n";
  writeFileSync(join(dir, "dossiers/limburg/browser-contactdossier.md"), dossier("Openbaar dossier met contactpersoon", "openbaar", contact, "Een openbaar dossier met een contactpersoon."));
}

/** Every page type of the site, with the status it must answer (and its interface language, if not Dutch). */
const PAGES = [
  { name: "home", path: "/" },
  { name: "zoeken", path: "/zoeken" },
  { name: "zoeken-q", path: "/zoeken?q=vastgoed" },
  { name: "zoeken-q-regio", path: "/zoeken?q=vastgoed&regio=limburg" },
  { name: "zoeken-pagina-2", path: "/zoeken?pagina=2" },
  { name: "zoeken-leeg", path: "/zoeken?q=xyzzyqq" },
  { name: "zoeken-bedoelde-u", path: "/zoeken?q=vastgod" },
  { name: "zoeken-deels", path: "/zoeken?q=hoe+herken+ik+een+drugslab+in+een+schuur" },
  { name: "dossier", path: "/dossiers/limburg/vastgoed-in-beeld-maastricht" },
  { name: "themas", path: "/themas" },
  { name: "thema", path: "/themas/horeca" },
  { name: "regios", path: "/regios" },
  { name: "regio", path: "/regios/limburg" },
  { name: "regio-beschrijving", path: "/regios/oost-nederland" },
  { name: "zoeken-gemeente", path: "/zoeken?q=deventer" },
  { name: "pagina", path: "/paginas/toegankelijkheid" },
  { name: "pagina-privacy", path: "/paginas/privacy" },
  { name: "api", path: "/api", expect: "GET /api/v1/search" },
  { name: "schrijven", path: "/schrijven", expect: "Een dossier schrijven" },
  { name: "samenstellen", path: "/samenstellen", expect: "Een collectie samenstellen" },
  { name: "collecties", path: "/collecties" },
  { name: "collectie", path: "/collecties/jonge-aanwas" },
  { name: "lessen", path: "/lessen" },
  { name: "lessen-gefilterd", path: "/lessen?uitdaging=samenwerking" },
  { name: "niet-gevonden", path: "/bestaat/niet", status: 404 },
  { name: "foute-vraag", path: "/zoeken?regio=atlantis", status: 400 },
  // Signed-in and access states, from the example regional source below.
  { name: "dossier-netwerk", path: "/dossiers/limburg/browser-netwerkdossier", as: "netwerk", expect: "Alleen voor netwerkpartners." },
  { name: "dossier-regio", path: "/dossiers/limburg/browser-regiodossier", as: "netwerk", expect: "Alleen voor lezers van RIEC Limburg" },
  { name: "zoeken-ingelogd", path: "/zoeken?q=browsertoets", as: "netwerk", expect: "Alleen netwerkpartners</span>" },
  { name: "dossier-contact-anoniem", path: "/dossiers/limburg/browser-contactdossier", expect: "Contactpersoon zichtbaar na inloggen" },
  { name: "dossier-contact-ingelogd", path: "/dossiers/limburg/browser-contactdossier", as: "netwerk", expect: "projectleider@voorbeeld.example" },
  { name: "inzicht", path: "/beheer/inzicht", as: "liec", expect: "Zoekopdrachten van aangemelde lezers" },
  { name: "beheer", path: "/beheer", as: "liec", expect: "Synoniemgroepen" },
  { name: "thema-volg-email", path: "/themas/horeca", as: "netwerk", expect: "Volg per e-mail" },
  { name: "abonnementen", path: "/abonnementen", as: "netwerk", expect: "Wat u volgt" },
  { name: "afmelden-ongeldig", path: "/abonnementen/afmelden/onbekend", status: 404, expect: "niet (meer) geldig" },
  // The English interface (content stays Dutch).
  { name: "home-en", path: "/?taal=en", lang: "en" },
  { name: "zoeken-q-en", path: "/zoeken?q=vastgoed&taal=en", lang: "en" },
];

/** The skip link's text per interface language. */
const SKIP_LINK = { nl: "Direct naar de inhoud", en: "Skip to content" };

let server;
let serverLog = "";
let dataDir;
let baseUrl;
let browser;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitForReady(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server.exitCode !== null) {
      throw new Error(`tegenkracht exited with ${server.exitCode}:\n${serverLog}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`tegenkracht not ready after ${ms} ms:\n${serverLog}`);
}

before(async () => {
  assert.ok(existsSync(binary), `server binary not found at ${binary}: build it (cargo build -p tegenkracht) or set TEGENKRACHT_BIN`);
  assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(htmlDir, { recursive: true });

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // A data folder of its own, so the test never shares an index with a
  // server a developer is running from the same checkout.
  dataDir = mkdtempSync(join(tmpdir(), "tegenkracht-browser-"));
  // The starter content as the README serves it, plus an example regional
  // source with restricted dossiers, tokens and a sign-in link.
  const example = join(dataDir, "riec-voorbeeld");
  writeExampleSource(example);
  const config = join(dataDir, "tegenkracht.toml");
  writeFileSync(
    config,
    [
      `data_dir = ${JSON.stringify(join(dataDir, "data"))}`,
      `[[source]]\nname = "centraal"\nurl = ${JSON.stringify(repoRoot)}\nbranch = "HEAD"\npath = "content"\nregions = ["*"]`,
      `[[source]]\nname = "riec-voorbeeld"\nurl = ${JSON.stringify(example)}\nbranch = "-"\nregions = ["limburg"]\nnew_url = "https://forge.example/riec-voorbeeld/new/main?filename={path}&value={content}"`,
      `[auth]\nsign_in_url = "/oauth2/start"\nsign_out_url = "/oauth2/sign_out"`,
      `[[auth.token]]\nname = "lezer-limburg"\nsha256 = "${sha256(TOKENS.netwerk)}"\nregions = ["limburg"]\nemail = "lezer@voorbeeld.example"`,
      `[[auth.token]]\nname = "redactie-landelijk"\nsha256 = "${sha256(TOKENS.liec)}"\nregions = ["liec"]`,
      // Email alerts offered (the relay is never reached: nothing is due in these tests).
      `[mail]\nmailer = true\nfrom = "Tegenkracht <noreply@voorbeeld.example>"\nsmtp_host = "127.0.0.1"\nsmtp_port = 9\ntls = "none"\ninterval = "1h"`,
    ].join("\n") + "\n",
  );
  server = spawn(binary, ["serve", "--config", config, "--listen", `127.0.0.1:${port}`], {
    cwd: repoRoot,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  await waitForReady(baseUrl, 180_000);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill("SIGKILL");
        r();
      }, 5000);
      server.once("exit", () => {
        clearTimeout(t);
        r();
      });
    });
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh page that records console errors (CSP violations land there) and failed loads. */
async function openPage(viewport, as) {
  const extraHTTPHeaders = as ? { authorization: `Bearer ${TOKENS[as]}` } : {};
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "nl-NL", extraHTTPHeaders });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 40[04]/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    // A live check still in flight when the form is submitted is cancelled by the
    // navigation itself: that is the browser leaving the page, not a failed load.
    const leftBehind = req.resourceType() === "fetch" && req.failure()?.errorText === "net::ERR_ABORTED";
    if (!leftBehind) problems.push(`failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (res.request().resourceType() !== "document" && res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page, problems };
}

function formatViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.split("\n").join(" ")}`).join("\n")}`)
    .join("\n");
}

describe("every page type", () => {
  for (const p of PAGES) {
    test(`${p.name} (${p.path})`, async (t) => {
      for (const w of WIDTHS) {
        const { context, page, problems } = await openPage({ width: w.width, height: w.height }, p.as);
        try {
          const res = await page.goto(baseUrl + p.path, { waitUntil: "load" });
          assert.equal(res.status(), p.status ?? 200, `${p.path}: status`);
          if (w.name === "1280") {
            const html = await res.text();
            writeFileSync(join(htmlDir, `${p.name}.html`), html);
            const lang = p.lang ?? "nl";
            assert.match(html, new RegExp(`<html lang="${lang}"`));
            assert.ok(html.includes(SKIP_LINK[lang]), `${p.path}: skip link in ${lang}`);
            if (p.expect) assert.ok(html.includes(p.expect), `${p.path}: shows "${p.expect}"`);
          }

          const axe = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
          assert.equal(axe.violations.length, 0, `axe at ${w.width}px on ${p.path}:\n${formatViolations(axe.violations)}`);

          if (w.width <= 400) {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            assert.ok(overflow <= 0, `${p.path} scrolls sideways by ${overflow}px at ${w.width}px`);
          }
          await page.screenshot({ path: join(artifacts, `${p.name}-${w.name}.png`), fullPage: true });
          assert.deepEqual(problems, [], `${p.path} at ${w.width}px: console errors or failed loads`);
        } finally {
          await context.close();
        }
      }
      t.diagnostic(`screenshots: artifacts/${p.name}-1280.png, artifacts/${p.name}-375.png`);
    });
  }
});

/** Presses Tab until `matches` holds for the focused element; returns the number of presses. */
async function tabUntil(page, matches, what, limit = 300) {
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(matches)) return i;
  }
  throw new Error(`Tab never reached ${what} in ${limit} presses`);
}

/** Whether the focused element shows a focus indicator (outline or box-shadow ring). */
function focusIsVisible() {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow && s.boxShadow !== "none";
  return outline || ring;
}

describe("keyboard only", () => {
  test("skip link, search box, facet filter, removing a filter", async () => {
    const { context, page, problems } = await openPage({ width: 1280, height: 900 });
    try {
      await page.goto(baseUrl + "/");

      // The first Tab lands on the skip link, which becomes visible and moves focus to the content.
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Direct naar de inhoud");
      const skip = await page.evaluate(() => {
        const r = document.activeElement.getBoundingClientRect();
        return r.top >= 0 && r.height > 0 && r.width > 0;
      });
      assert.ok(skip, "the skip link is on screen when focused");
      assert.ok(await page.evaluate(focusIsVisible), "the skip link shows focus");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => location.hash), "#inhoud");

      // Tab reaches the search box; typing and Enter submit the search.
      await tabUntil(page, () => document.activeElement?.getAttribute("name") === "q", "the search box");
      assert.ok(await page.evaluate(focusIsVisible), "the search box shows focus");
      await page.keyboard.type("vastgoed");
      await Promise.all([page.waitForURL(/\/zoeken\?q=vastgoed/), page.keyboard.press("Enter")]);
      const status = await page.locator("[role=status]").innerText();
      assert.match(status, /\d+ resultat?en? voor vastgoed/);

      // Tab reaches a facet checkbox; Space toggles it; Tab reaches the submit button; Enter applies.
      await tabUntil(page, () => document.activeElement?.type === "checkbox", "a facet checkbox");
      assert.ok(await page.evaluate(focusIsVisible), "the checkbox shows focus");
      const facet = await page.evaluate(() => ({ name: document.activeElement.name, value: document.activeElement.value }));
      assert.equal(await page.evaluate(() => document.activeElement.checked), false);
      await page.keyboard.press("Space");
      assert.equal(await page.evaluate(() => document.activeElement.checked), true, "Space checks the facet");
      await tabUntil(page, () => document.activeElement?.textContent?.trim() === "Filters toepassen", "the filter button");
      assert.ok(await page.evaluate(focusIsVisible), "the button shows focus");
      await Promise.all([page.waitForURL((u) => u.searchParams.getAll(facet.name).includes(facet.value)), page.keyboard.press("Enter")]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get("q"), "vastgoed", "the query survives filtering");
      assert.ok(await page.locator(`input[type=checkbox][name="${facet.name}"][value="${facet.value}"]`).isChecked(), "the chosen facet stays checked");

      // The active filter is a link that removes it, reachable by Tab.
      await tabUntil(page, () => /verwijderen$/.test(document.activeElement?.getAttribute("aria-label") || ""), "the remove-filter link");
      await Promise.all([page.waitForURL((u) => !u.searchParams.getAll(facet.name).includes(facet.value)), page.keyboard.press("Enter")]);
      assert.equal(new URL(page.url()).searchParams.get("q"), "vastgoed");

      // The sort select works from the keyboard too.
      await tabUntil(page, () => document.activeElement?.id === "sorteer", "the sort select");
      await page.keyboard.press("ArrowDown");
      assert.equal(await page.evaluate(() => document.activeElement.value), "datum");
      await tabUntil(page, () => document.activeElement?.textContent?.trim() === "Filters toepassen", "the filter button");
      await Promise.all([page.waitForURL(/sort=datum/), page.keyboard.press("Enter")]);

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("a region on the map is a keyboard-reachable link", async () => {
    const { context, page } = await openPage({ width: 1280, height: 900 });
    try {
      await page.goto(baseUrl + "/regios");
      await tabUntil(page, () => document.activeElement?.closest("svg") !== null && /limburg$/.test(document.activeElement.getAttribute("href") || ""), "Limburg on the map");
      const label = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));
      assert.match(label, /^RIEC Limburg: \d+ dossiers?$/);
      await Promise.all([page.waitForURL(/\/regios\/limburg$/), page.keyboard.press("Enter")]);
    } finally {
      await context.close();
    }
  });
});

describe("Nu HTML Checker", () => {
  test("every page's HTML is valid", () => {
    const files = PAGES.map((p) => join(htmlDir, `${p.name}.html`)).filter((f) => existsSync(f));
    assert.equal(files.length, PAGES.length, "every page's HTML was saved by the page tests");
    const java = process.env.JAVA || "java";
    const run = spawnSync(java, ["-jar", vnuJar, "--format", "json", ...files], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.ifError(run.error);
    let report;
    try {
      report = JSON.parse(run.stderr || run.stdout);
    } catch {
      assert.fail(`vnu gave no JSON report (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
    }
    const shown = (m) => `${m.url?.split("/").pop()}:${m.lastLine ?? "?"}: ${m.type}${m.subType ? "/" + m.subType : ""}: ${m.message}`;
    const errors = report.messages.filter((m) => m.type === "error" || m.type === "non-document-error");
    const warnings = report.messages.filter((m) => m.type === "info" && m.subType === "warning");
    writeFileSync(join(artifacts, "vnu.json"), JSON.stringify(report, null, 2));
    assert.deepEqual(errors.map(shown), [], "Nu HTML Checker errors");
    assert.deepEqual(warnings.map(shown), [], "Nu HTML Checker warnings");
    assert.equal(run.status, 0);
  });
});

describe("OpenAPI", () => {
  test("the served document is valid OpenAPI (a maintained validator)", async () => {
    const res = await fetch(baseUrl + "/api/v1/openapi.json");
    assert.equal(res.status, 200);
    const doc = await res.json();
    writeFileSync(join(artifacts, "openapi.json"), JSON.stringify(doc, null, 2));
    const result = await validate(structuredClone(doc));
    assert.ok(result.valid, compileErrors(result));
    // Some of what it must say, so that a valid but empty document fails.
    assert.ok(doc.paths["/api/v1/regios"], "the regions endpoint is described");
    assert.equal(doc.components.securitySchemes.bearer.scheme, "bearer");
  });
});

describe("the JSON Schema in an editor", () => {
  // What VS Code's remark extension runs with the README's one-line .remarkrc.json.
  async function lint(schema, path, text) {
    const file = await remark()
      .use(remarkFrontmatter)
      .use(remarkLintFrontmatterSchema, { embed: schema })
      .process({ path, value: text });
    return file.messages.map((m) => `${m.line}:${m.column} ${m.reason}`);
  }

  test("remark-lint-frontmatter-schema accepts every starter dossier and marks a broken one", async () => {
    const schema = await (await fetch(baseUrl + "/schema/dossier.json")).json();
    const dir = join(repoRoot, "content", "dossiers");
    const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".md"));
    assert.ok(files.length >= 10, `${files.length} starter dossiers`);
    for (const f of files) {
      const text = readFileSync(join(dir, String(f)), "utf8");
      assert.deepEqual(await lint(schema, String(f), text), [], `${f}`);
    }
    const good = readFileSync(join(dir, String(files[0])), "utf8");
    const broken = good.replace(/^regio: .*$/m, "regio: atlantis").replace(/^samenvatting: .*$/m, "");
    const found = await lint(schema, "kapot.md", broken);
    assert.ok(found.some((m) => /limburg/.test(m) && /^\d+:\d+ /.test(m)), `an unknown region, with the allowed values and a place: ${found}`);
    assert.ok(found.some((m) => /samenvatting/.test(m)), `a missing field: ${found}`);
  });
});

describe("email alerts", () => {
  test("follow a thema by email from its page, see it listed, stop it: with the keyboard", async () => {
    const { context, page, problems } = await openPage({ width: 1280, height: 900 }, "netwerk");
    try {
      await page.goto(baseUrl + "/themas/horeca");
      await tabUntil(page, `document.activeElement && document.activeElement.id === "tk-frequentie"`, "the frequency");
      await page.keyboard.press("ArrowDown");
      assert.equal(await page.inputValue("#tk-frequentie"), "wekelijks");
      await page.keyboard.press("Tab");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.equal(new URL(page.url()).pathname, "/abonnementen");
      const item = await page.textContent(".tk-abonnementen");
      assert.match(item, /thema Horeca/);
      assert.match(item, /wekelijks/);
      const axe = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      assert.equal(axe.violations.length, 0, `axe on the list:\n${formatViolations(axe.violations)}`);
      await page.screenshot({ path: join(artifacts, "abonnementen-gevuld-1280.png"), fullPage: true });
      await tabUntil(page, `document.activeElement && document.activeElement.textContent.startsWith("Niet meer volgen")`, "stop following");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.match(await page.textContent("main"), /U volgt nog niets per e-mail/);
      assert.deepEqual(problems, [], "console errors or failed loads");
    } finally {
      await context.close();
    }
  });
});

describe("writing a dossier through the form", () => {
  const SAMENVATTING = "Gemeente en politie legden gegevens naast elkaar om leegstaande panden te vinden.";

  /** Axe on the page as it is now. */
  async function axeClean(page, what) {
    const axe = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
    assert.equal(axe.violations.length, 0, `axe on ${what}:\n${formatViolations(axe.violations)}`);
  }

  /** The hand-off link holds exactly the file shown on the page. */
  async function handOffHoldsTheFile(page) {
    const href = await page.getAttribute("a[href^='https://forge.example/']", "href");
    const url = new URL(href);
    // Limburg's own source publishes it (not the central one).
    assert.equal(url.searchParams.get("filename"), "dossiers/limburg/browsertoets-formulier.md");
    const shown = await page.inputValue("#bestand");
    assert.equal(url.searchParams.get("value"), shown);
    assert.match(shown, /^---\ntitel: "Browsertoets formulier"\n/);
  }

  test("with a mouse: live findings beside the field, then a file for the forge", async () => {
    for (const w of WIDTHS) {
      const { context, page, problems } = await openPage({ width: w.width, height: w.height });
      try {
        await page.goto(baseUrl + "/schrijven");
        await page.fill("#titel", "Browsertoets formulier");
        await page.click("label[for='type-praktijk']");
        await page.selectOption("#regio", "limburg");
        await page.click("label[for='thema-vastgoed']");
        await page.fill("#samenvatting", "Te kort");
        // Live validation (the script): the finding appears beside the field.
        await page.waitForSelector("#fout-samenvatting:not([hidden])", { timeout: 10_000 });
        assert.match(await page.textContent("#fout-samenvatting"), /samenvatting/);
        assert.equal(await page.getAttribute("#samenvatting", "aria-invalid"), "true");
        await page.click("button[type=submit]");
        await page.waitForSelector("#uitkomst");
        assert.match(await page.textContent("#uitkomst"), /Er is 1 fout/);
        assert.match(await page.textContent("#fout-samenvatting"), /moet 20 tot 600 tekens lang zijn/);
        await axeClean(page, `the form with a mistake at ${w.width}px`);
        await page.fill("#samenvatting", SAMENVATTING);
        await page.fill("#aanpak", "We begonnen met drie panden.");
        await page.click("button[type=submit]");
        await page.waitForSelector("#uitkomst");
        assert.match(await page.textContent("#uitkomst"), /klaar om voor te stellen/);
        await handOffHoldsTheFile(page);
        await axeClean(page, `the checked form at ${w.width}px`);
        await page.screenshot({ path: join(artifacts, `schrijven-klaar-${w.name}.png`), fullPage: true });
        assert.deepEqual(problems, [], "console errors or failed loads");
      } finally {
        await context.close();
      }
    }
  });

  test("editing: every field of an existing dossier comes back, and the unchanged form passes the check", async () => {
    for (const id of ["limburg/vastgoed-in-beeld-maastricht", "midden-nederland/straatwaarden", "zeeland-brabant/1-smartoverheid"]) {
      const { context, page, problems } = await openPage({ width: 1280, height: 900 }, "liec");
      try {
        await page.goto(`${baseUrl}/schrijven?dossier=${encodeURIComponent(id)}`);
        assert.match(await page.textContent("h1"), /Een dossier bewerken/);
        assert.ok((await page.inputValue("#titel")).length > 3, `${id}: title filled in`);
        assert.ok((await page.inputValue("#aanpak")).length > 20 || (await page.inputValue("#overig")).length > 20, `${id}: body filled in`);
        if (id.startsWith("limburg")) await axeClean(page, "the edit form");
        await page.click("button[type=submit]");
        await page.waitForSelector("#uitkomst");
        assert.match(await page.textContent("#uitkomst"), /klaar om voor te stellen/, `${id}: ${await page.textContent("#uitkomst")}`);
        assert.deepEqual(problems, [], "console errors or failed loads");
      } finally {
        await context.close();
      }
    }
  });

  test("with the keyboard only", async () => {
    const { context, page, problems } = await openPage({ width: 1280, height: 900 });
    try {
      await page.goto(baseUrl + "/schrijven");
      const focusIs = (id) => `document.activeElement && document.activeElement.id === ${JSON.stringify(id)}`;
      await tabUntil(page, focusIs("titel"), "the title field");
      await page.keyboard.type("Browsertoets formulier");
      await tabUntil(page, focusIs("type-leerdossier"), "the kind");
      await page.keyboard.press("ArrowDown");
      assert.ok(await page.isChecked("#type-praktijk"), "arrow keys choose the kind");
      await tabUntil(page, focusIs("regio"), "the region");
      await page.keyboard.type("RIEC Limburg");
      assert.equal(await page.inputValue("#regio"), "limburg");
      await tabUntil(page, focusIs("thema-vastgoed"), "the thema vastgoed");
      await page.keyboard.press("Space");
      await tabUntil(page, focusIs("samenvatting"), "the summary");
      await page.keyboard.type(SAMENVATTING);
      await tabUntil(page, focusIs("aanpak"), "the approach");
      await page.keyboard.type("We begonnen met drie panden.");
      await tabUntil(page, `document.activeElement && document.activeElement.type === "submit"`, "the check button");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.match(await page.textContent("#uitkomst"), /klaar om voor te stellen/);
      await handOffHoldsTheFile(page);
      assert.deepEqual(problems, [], "console errors or failed loads");
    } finally {
      await context.close();
    }
  });
});
