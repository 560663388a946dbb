// Opens a depthstyle 3D-photo viewer page in headless Chromium as a user would (a file:// URL,
// software WebGL: SwiftShader), waits until the page says the model is shown, and saves a
// screenshot of each requested view. Used by tests/test_photo3d_browser.cpp.
//
//   node screenshot.cjs NPM_DIR CHROMIUM PAGE.html WIDTH HEIGHT OUT1.png VIEW1 [OUT2.png VIEW2 ...]
//
// VIEW is tx,ty,tz,yaw,pitch (the page's #view=). Prints "ready OUT" per screenshot, or the
// page's error (data-state="error") and exits 1.
const path = require('path');
const [npmDir, chromium, page, width, height, ...shots] = process.argv.slice(2);
const puppeteer = require(path.resolve(npmDir, 'node_modules', 'puppeteer-core'));

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: path.join(path.dirname(shots[0]), 'chromium-profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
           '--hide-scrollbars'],
  });
  let status = 0;
  try {
    const tab = await browser.newPage();
    tab.on('pageerror', (e) => console.log('page error: ' + e.message));
    await tab.setViewport({ width: Number(width), height: Number(height), deviceScaleFactor: 1 });
    for (let i = 0; i + 1 < shots.length; i += 2) {
      const url = 'file://' + path.resolve(page) + '#view=' + shots[i + 1] + '&ui=0';
      await tab.goto('about:blank');
      await tab.goto(url);
      await tab.waitForFunction(() => document.documentElement.dataset.state !== 'loading', { timeout: 120000 });
      const state = await tab.evaluate(() => document.documentElement.dataset.state);
      if (state !== 'ready') {
        console.log('page state ' + state + ': ' + await tab.evaluate(() => document.getElementById('status').textContent));
        status = 1;
        break;
      }
      await tab.screenshot({ path: shots[i] });
      console.log('ready ' + shots[i]);
    }
  } finally {
    await browser.close();
  }
  process.exit(status);
})().catch((e) => { console.log('error: ' + e.message); process.exit(1); });
