/**
 * `npm run brand-images`: draws the raster images in public/ from public/icon.svg, in Chromium, so
 * they are made by code anyone can re-run rather than by hand:
 * - favicon.ico: 32x32 (an ICO file holding one PNG, which every current browser reads);
 * - apple-touch-icon.png: 180x180 on a white tile;
 * - og.png: the 1200x630 social preview (what a link to the app looks like in chat and social apps).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { launchChromium } from './lib/chromium';

const icon = readFileSync('public/icon.svg', 'utf8');
const iconDataUrl = `data:image/svg+xml;base64,${Buffer.from(icon).toString('base64')}`;

/** An ICO container with a single PNG image (ICONDIR + one ICONDIRENTRY + the PNG bytes). */
function icoFromPng(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6); // width
  header.writeUInt8(size, 7); // height
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9); // reserved
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14); // image size
  header.writeUInt32LE(header.length, 18); // image offset
  return Buffer.concat([header, png]);
}

const OG_HTML = `<!doctype html><html><head><style>
  body { margin: 0; width: 1200px; height: 630px; font-family: system-ui, 'DejaVu Sans', sans-serif;
    background: #0d1117; color: #e7ebf0; display: flex; }
  .wrap { margin: 72px 80px; display: flex; flex-direction: column; gap: 28px; }
  .brand { display: flex; align-items: center; gap: 20px; font-size: 34px; font-weight: 700; }
  .brand img { width: 72px; height: 72px; }
  h1 { font-size: 66px; line-height: 1.1; margin: 12px 0 0; letter-spacing: -1px; }
  p { font-size: 30px; color: #a5afbd; margin: 0; line-height: 1.4; }
  .chips { display: flex; gap: 16px; margin-top: 18px; }
  .chip { font-size: 24px; padding: 8px 20px; border-radius: 999px; border: 2px solid #323d4b; }
  .ok { color: #7ee2a8; border-color: #1f5a3d; } .warn { color: #f6c86b; border-color: #5e4617; }
  .bad { color: #ff9b91; border-color: #6b2a25; }
</style></head><body><div class="wrap">
  <div class="brand"><img src="${iconDataUrl}" alt=""> Secure sessions for Next.js</div>
  <h1>What happens to a JWT<br>after logout?</h1>
  <p>Short-lived access tokens, rotating refresh tokens, and actions that re-check the session. Working code and tests.</p>
  <div class="chips"><span class="chip ok">reading: stateless</span><span class="chip warn">renewing: rotates</span><span class="chip bad">acting: re-checked</span></div>
</div></body></html>`;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 630 } });

  async function iconPng(size: number, tile: boolean): Promise<Buffer> {
    await page.setViewportSize({ width: size, height: size });
    const padding = tile ? Math.round(size * 0.12) : 0;
    await page.setContent(
      `<body style="margin:0;background:${tile ? '#fff' : 'transparent'}"><img src="${iconDataUrl}" style="display:block;width:${size - 2 * padding}px;height:${size - 2 * padding}px;margin:${padding}px"></body>`,
    );
    return page.screenshot({ omitBackground: !tile });
  }

  writeFileSync('public/favicon.ico', icoFromPng(await iconPng(32, false), 32));
  writeFileSync('public/apple-touch-icon.png', await iconPng(180, true));

  await page.setViewportSize({ width: 1200, height: 630 });
  await page.setContent(OG_HTML);
  writeFileSync('public/og.png', await page.screenshot());
  console.log('wrote public/favicon.ico, public/apple-touch-icon.png, public/og.png');
} finally {
  await browser.close();
}
