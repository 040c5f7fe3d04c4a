// Screenshots of the analysis of a demo month for docs/ANALYSIS.md (not a
// test): the 统计 page over the month, and its 热线监督报告. Run by
// tools/analysis_shots.sh against a server on a demo database.
import { chromium } from 'playwright-core';

const URL = process.env.REXIAN_URL;
const TOKEN = process.env.REXIAN_TOKEN;
const MONTH = process.env.MONTH; // YYYY-MM
const OUT = process.env.OUT || 'docs/screenshots';
const last = new Date(Number(MONTH.slice(0, 4)), Number(MONTH.slice(5, 7)), 0).getDate();

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  page.setDefaultTimeout(60000);
  await page.goto(URL);
  await page.getByLabel('令牌').fill(TOKEN);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation').getByRole('link', { name: '统计', exact: true }).click();
  await page.getByLabel('开始日期').fill(`${MONTH}-01`);
  await page.getByLabel('结束日期').fill(`${MONTH}-${last}`);
  await page.getByLabel('分组', { exact: true }).selectOption({ label: '按承办单位' });
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.getByRole('status').filter({ hasText: `${MONTH}-01 至` }).waitFor();
  await page.getByRole('table', { name: '民生热词' }).getByRole('row').nth(5).waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${OUT}/analysis-month.png`, fullPage: true });
  await page.getByLabel('报告期（月）').fill(MONTH);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: '打开报告' }).click()]);
  await popup.waitForLoadState();
  await popup.setViewportSize({ width: 1100, height: 900 });
  await popup.screenshot({ path: `${OUT}/analysis-report.png`, fullPage: true });
  console.log(`wrote ${OUT}/analysis-month.png and ${OUT}/analysis-report.png`);
} finally {
  await browser.close();
}
