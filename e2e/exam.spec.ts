// The study mode: a practice exam end to end, a missed question coming back for review,
// and no internal notes in any page's text. What is right is read from the library the
// page loads (scenarios.json and questions.json), never from the page.
import { test, expect, type Page } from './fixtures';

const shots = 'e2e/screenshots';

async function passesAxe(page: Page) {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
}

type Choice = { text: string; correct?: boolean; why: string };
type Question = { prompt: string; step: number; skill: string; choices: Choice[] };
type Scenario = { id: string; title: string; steps: unknown[]; quiz: Question[] };

/** The scenarios with their questions, as shipped (scenarios.json and questions.json). */
async function libraryOf(page: Page): Promise<Scenario[]> {
  const scenarios: Scenario[] = (await (await page.request.get('./scenarios/scenarios.json')).json()).scenarios;
  const bank: { scenario: string; questions: Question[] }[] = (await (await page.request.get('./scenarios/questions.json')).json()).quizzes;
  return scenarios.map((s) => ({ ...s, quiz: bank.find((q) => q.scenario === s.id)!.questions }));
}

/** The question whose legend is shown, found in the library by its prompt. */
function find(scenarios: Scenario[], legend: string) {
  const prompt = legend.replace(/^\d+\. /, '');
  for (const s of scenarios) {
    const q = s.quiz.find((x) => x.prompt === prompt);
    if (q) return { scenario: s, question: q };
  }
  throw new Error(`not in the library: ${prompt}`);
}

test('a practice exam: 40 questions, no marks until the end, scored per area, each miss linked to its step', async ({ page }) => {
  test.setTimeout(120_000);
  const scenarios = await libraryOf(page);
  await page.goto('./scenarios/');
  await page.getByRole('link', { name: 'Practice exam' }).click();
  await expect(page.getByRole('heading', { name: 'Practice exam' })).toBeVisible();
  await page.getByLabel(/Time me: 60 minutes/).check();
  for (const [name, width, height] of [['phone', 390, 844], ['laptop', 1366, 768], ['projector', 1920, 1080]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${shots}/exam-start-${name}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  await passesAxe(page);
  await page.getByRole('button', { name: 'Start the exam' }).click();
  await expect(page.getByRole('heading', { name: 'Practice exam: question 1 of 40' })).toBeVisible();
  await expect(page.getByRole('timer')).toHaveText(/Time left (60:00|59:\d\d)/);

  // Odd questions answered right, even ones with the first wrong choice shown.
  let right = 0;
  const seen = new Set<string>();
  const scenariosSeen = new Set<string>();
  for (let i = 0; i < 40; i += 1) {
    await expect(page.getByRole('heading', { name: `Practice exam: question ${i + 1} of 40` })).toBeVisible();
    const fieldset = page.locator('fieldset.question');
    const legend = (await fieldset.locator('legend').textContent()) ?? '';
    const { scenario, question } = find(scenarios, legend);
    seen.add(question.prompt);
    scenariosSeen.add(scenario.id);
    const answers = i % 2 === 0 ? question.choices.filter((c) => c.correct) : [question.choices.find((c) => !c.correct)!];
    for (const c of answers) await fieldset.getByLabel(c.text, { exact: true }).check();
    if (i % 2 === 0) right += 1;
    await expect(page.locator('.choice.right, .choice.wrong, .explanation')).toHaveCount(0);
    if (i === 3) {
      for (const [name, width, height] of [['phone', 390, 844], ['laptop', 1366, 768], ['projector', 1920, 1080]] as const) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: `${shots}/exam-question-${name}.png`, fullPage: true });
      }
      await page.setViewportSize({ width: 1366, height: 900 });
      await passesAxe(page);
    }
    if (i < 39) await page.getByRole('button', { name: 'Next', exact: true }).click();
  }
  expect(seen.size).toBe(40);
  expect(scenariosSeen.size).toBeGreaterThanOrEqual(10);
  await expect(page.getByText('Every question has an answer.')).toBeVisible();
  await page.getByRole('button', { name: 'Finish and see the result' }).click();

  const pct = Math.floor((right * 100) / 40);
  await expect(page.getByRole('status')).toHaveText(`${right} of 40 right (${pct} %): not passed yet.`);
  const rows = page.locator('table.area-scores tbody tr');
  await expect(rows).toHaveCount(4);
  let asked = 0;
  for (let r = 0; r < 4; r += 1) {
    const [, , n] = (await rows.nth(r).locator('td').first().textContent())?.match(/^(\d+) of (\d+)$/) ?? [];
    asked += Number(n);
  }
  expect(asked).toBe(40);
  const misses = page.locator('.wrong-answer');
  await expect(misses).toHaveCount(40 - right);
  await expect(misses.first().locator('.choice.wrong .explanation')).toContainText('✗ Your answer:');
  await expect(misses.first().locator('.source a').first()).toHaveAttribute('href', /^https:\/\/learn\.microsoft\.com\//);
  for (const [name, width, height] of [['phone', 390, 844], ['laptop', 1366, 768], ['projector', 1920, 1080]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${shots}/exam-result-${name}.png` });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  await passesAxe(page);

  // "Open the step that shows this": the question's scenario at its step.
  const legend = (await misses.first().locator('legend').textContent()) ?? '';
  const { scenario, question } = find(scenarios, legend);
  await misses.first().getByRole('link', { name: 'Open the step that shows this' }).click();
  await expect(page.getByRole('heading', { level: 2, name: scenario.title })).toBeVisible();
  await expect(page.getByRole('button', { name: `Step ${question.step}`, exact: true })).toHaveAttribute('aria-current', 'step');
});

test('a missed question comes back for review after 10 minutes, and a right answer sends it further off', async ({ page }) => {
  await page.clock.install({ time: new Date('2026-12-07T09:00:00Z') });
  const scenarios = await libraryOf(page);
  await page.goto('./scenarios/');
  await expect(page.getByRole('heading', { name: 'Scenarios', exact: true })).toBeVisible();
  const first = scenarios[0];
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('listitem').last().getByRole('button').click();
  // Every question right but the first two.
  const questions = page.locator('fieldset.question');
  await expect(questions).toHaveCount(first.quiz.length);
  for (let q = 0; q < first.quiz.length; q += 1) {
    const question = find(scenarios, (await questions.nth(q).locator('legend').textContent()) ?? '').question;
    const picks = q < 2 ? [question.choices.find((c) => !c.correct)!] : question.choices.filter((c) => c.correct);
    for (const c of picks) await questions.nth(q).getByLabel(c.text, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Check answers' }).click();
  await expect(page.locator('.score-line')).toContainText(`${first.quiz.length - 2} of ${first.quiz.length} right`);
  await expect(page.getByRole('link', { name: /Review due questions/ })).toHaveCount(0);

  await page.clock.fastForward('09:59');
  await page.reload();
  await expect(page.getByRole('link', { name: 'Practice exam' })).toBeVisible();
  await expect(page.getByRole('link', { name: /Review due questions/ })).toHaveCount(0);
  await page.clock.fastForward('00:02');
  await page.reload();
  await page.getByRole('link', { name: 'Review due questions (2)' }).click();
  await expect(page.getByRole('heading', { name: 'Review: question 1 of 2' })).toBeVisible();
  for (let i = 0; i < 2; i += 1) {
    const fieldset = page.locator('fieldset.question');
    const { question } = find(scenarios, (await fieldset.locator('legend').textContent()) ?? '');
    for (const c of question.choices.filter((x) => x.correct)) await fieldset.getByLabel(c.text, { exact: true }).check();
    if (i === 0) await page.getByRole('button', { name: 'Next', exact: true }).click();
  }
  await page.getByRole('button', { name: 'Finish and see the result' }).click();
  await expect(page.getByRole('status')).toContainText('2 of 2 right');
  // Answered right: due again in a day, not before.
  await page.getByRole('link', { name: '← Back to the scenarios' }).click();
  await expect(page.getByRole('link', { name: 'Practice exam' })).toBeVisible();
  await expect(page.getByRole('link', { name: /Review due questions/ })).toHaveCount(0);
});

test('no page says seeds/, "the chapter", "the material" or "objective 4.4"', async ({ page }) => {
  test.setTimeout(120_000);
  const banned = /seeds\/|the chapter\b|the material\b|objective 4\.4/i;
  await page.goto('./');
  await expect(page.getByRole('heading', { name: /Event store/ })).toBeAttached();
  expect(await page.locator('body').innerText()).not.toMatch(banned);
  await page.goto('./scenarios/');
  const list = page.getByRole('navigation', { name: 'Scenarios' }).getByRole('button');
  await expect(list).toHaveCount(17);
  for (let i = 0; i < 17; i += 1) {
    await list.nth(i).click();
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('listitem').last().getByRole('button').click();
    await page.getByRole('button', { name: 'Check answers' }).click();
    expect(await page.locator('body').innerText()).not.toMatch(banned);
  }
  await page.goto('./scenarios/#exam');
  await expect(page.getByRole('button', { name: 'Start the exam' })).toBeVisible();
  expect(await page.locator('body').innerText()).not.toMatch(banned);
});
