/**
 * Renders a sample alert card to docs/images/alert-card.png for the README: the card JSON the
 * route stage posts, rendered by the `adaptivecards` JavaScript renderer with a Teams-like host
 * config, screenshotted by headless Chromium from Debian's packages (`apt-get install chromium`).
 *
 * Usage: npx tsx scripts/render-card.ts [--out docs/images/alert-card.png] [--chromium /usr/bin/chromium]
 * Nothing is downloaded: the renderer comes from node_modules, the browser from the system.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAlertCard } from '../shared/domain/route/card.js';
import { applySignal, type Incident } from '../shared/domain/route/incident.js';
import { defaultRouteSettings } from '../shared/domain/route/settings.js';
import { spike } from '../test/fixtures/route/scored-events.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/images/alert-card.png' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    width: { type: 'string', default: '720' },
    height: { type: 'string', default: '980' },
  },
});

const now = new Date('2026-11-27T12:00:00.000Z');
let incident: Incident | undefined;
for (const event of spike(1, 12, '2026-11-27T09:00:00.000Z')) {
  incident = applySignal(incident, event, defaultRouteSettings, now).incident;
}
if (!incident) throw new Error('the sample spike opened no incident');
incident.ticket = {
  key: 'QE-1042',
  url: 'https://tickets.example.test/browse/QE-1042',
  createdAt: now.toISOString(),
  syncedEvidenceCount: 12,
  syncedFeedbackIds: 12,
};
const envelope = buildAlertCard(
  incident,
  1,
  'alert',
  { key: 'render-only-not-a-secret', baseUrl: 'https://func-feedback.example.test', ttlSeconds: 604800 },
  now,
);
const card = envelope.attachments[0]!.content;

const require = createRequire(import.meta.url);
const rendererPath = require.resolve('adaptivecards/dist/adaptivecards.min.js');
const renderer = readFileSync(rendererPath, 'utf8');
const css = readFileSync(join(dirname(rendererPath), 'adaptivecards.css'), 'utf8');

// A light Teams-like host config (fonts, spacing, colours); not Microsoft's file, just the look.
const hostConfig = {
  fontFamily: "'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif",
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#E1DFDD' },
  fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
  fontWeights: { lighter: 300, default: 400, bolder: 600 },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        attention: { default: '#C4314B', subtle: '#C4314B' },
        warning: { default: '#835C00', subtle: '#835C00' },
        accent: { default: '#6264A7', subtle: '#6264A7' },
      },
    },
    emphasis: {
      backgroundColor: '#F5F5F5',
      foregroundColors: { default: { default: '#242424', subtle: '#616161' } },
    },
  },
  actions: { maxActions: 6, spacing: 'default', buttonSpacing: 8, actionsOrientation: 'horizontal' },
  factSet: { title: { weight: 'bolder', wrap: true, maxWidth: 130 }, value: { wrap: true }, spacing: 8 },
};

const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css}
body{margin:0;background:#EBEBEB;font-family:'Segoe UI','Noto Sans','DejaVu Sans',sans-serif}
#frame{margin:16px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);overflow:hidden}
.ac-pushButton{border:1px solid #D1D1D1;border-radius:4px;background:#fff;color:#242424;padding:6px 12px;font:600 14px 'Segoe UI','Noto Sans',sans-serif}
a{color:#6264A7}</style></head><body><div id="frame"></div>
<script>${renderer}</script>
<script>
// Minimal markdown, as Teams does for TextBlock: **bold**, [text](url), "- " lists, line breaks.
AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) {
  var esc = text.replace(/&/g,'&amp;').replace(/</g,'&lt;');
  var lines = esc.split('\\n').map(function (line) {
    line = line.replace(/\\*\\*(.+?)\\*\\*/g,'<b>$1</b>').replace(/\\[([^\\]]+)\\]\\(([^)]+)\\)/g,'<a href="$2">$1</a>');
    return line.indexOf('- ') === 0 ? '&bull; ' + line.slice(2) : line;
  });
  result.outputHtml = lines.join('<br>');
  result.didProcess = true;
};
var card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig(${JSON.stringify(hostConfig)});
card.parse(${JSON.stringify(card)});
document.getElementById('frame').appendChild(card.render());
</script></body></html>`;

const work = mkdtempSync(join(tmpdir(), 'render-card-'));
try {
  const page = join(work, 'card.html');
  writeFileSync(page, html);
  const out = resolve(values.out ?? 'docs/images/alert-card.png');
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(
    values.chromium ?? '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, 'profile')}`,
      `--window-size=${values.width},${values.height}`,
      `--screenshot=${out}`,
      `file://${page}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 },
  );
  console.log(`wrote ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
