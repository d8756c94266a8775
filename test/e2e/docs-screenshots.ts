// Makes the README's small screenshots (docs/*.png) from the ones look.test.ts saved under
// test-results/screens/: scaled down in Chromium (a canvas), so no image tool is needed.
//   npx vitest run --project e2e test/e2e/look.test.ts && npx tsx test/e2e/docs-screenshots.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from './browser.ts';
import { SCREENS } from './look.ts';

const SHOTS: { from: string; to: string; scale: number }[] = [
  { from: 'cart-desktop.png', to: 'shop.png', scale: 0.6 },
  { from: 'history-what-if-desktop.png', to: 'history.png', scale: 0.6 },
  { from: 'cart-phone.png', to: 'phone.png', scale: 0.75 },
  { from: 'history-past-phone.png', to: 'phone-history.png', scale: 0.75 },
];

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  for (const shot of SHOTS) {
    const source = `data:image/png;base64,${(await readFile(join(SCREENS, shot.from))).toString('base64')}`;
    const scaled = await page.evaluate(
      async ({ source, scale }) => {
        const image = new Image();
        image.src = source;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(image.width * scale);
        canvas.height = Math.round(image.height * scale);
        const context = canvas.getContext('2d')!;
        context.imageSmoothingQuality = 'high';
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        return canvas.toDataURL('image/png').split(',')[1]!;
      },
      { source, scale: shot.scale },
    );
    await writeFile(join('docs', shot.to), Buffer.from(scaled, 'base64'));
    console.log(`docs/${shot.to}`);
  }
} finally {
  await browser.close();
}
