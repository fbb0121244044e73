import { expect, test } from "@playwright/test";

test.describe("public pages", () => {
  test("home page explains the product and links to sign-in and setup", async ({ page }) => {
    await page.goto("/");

    await expect(page).toHaveTitle(/Gatehouse/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claude, OpenAI and Gemini models through one API key");

    const header = page.getByRole("banner");
    await expect(header.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/signin");

    const main = page.getByRole("main");
    await expect(main.getByRole("heading", { level: 2, name: "How it works" })).toBeVisible();
    await expect(main.getByRole("link", { name: "Sign in" }).first()).toHaveAttribute("href", "/signin");
    await expect(main.getByRole("link", { name: "Setup guide" }).first()).toHaveAttribute("href", "/setup");
  });

  test("the first Tab reaches the skip link, which moves to the main content", async ({ page }) => {
    await page.goto("/");

    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(page.getByRole("main")).toBeFocused();
  });

  test("home page logs no console errors", async ({ page }) => {
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

    await page.goto("/");
    // Hydration warnings and failed link prefetches arrive after the load event. ("networkidle"
    // is not used: Chromium's own background connections can keep it from ever settling.)
    await page.waitForLoadState("load");
    await page.waitForTimeout(1_500);

    expect(problems).toEqual([]);
  });

  test("the favicon and the web manifest are served", async ({ request }) => {
    const icon = await request.get("/favicon.ico");
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
    const manifest = await request.get("/manifest.webmanifest");
    expect(manifest.status()).toBe(200);
    expect(await manifest.json()).toMatchObject({ name: "Gatehouse", icons: [{ src: "/icon.svg" }] });
    expect((await request.get("/icon.svg")).status()).toBe(200);
  });

  test("an unknown path shows the 404 page with a way home", async ({ page }) => {
    const response = await page.goto("/this-page-does-not-exist");
    expect(response?.status()).toBe(404);

    await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();

    const home = page.getByRole("main").getByRole("link", { name: "Go to the home page" });
    await expect(home).toHaveAttribute("href", "/");
    await home.click();

    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claude, OpenAI and Gemini models through one API key");
  });
});
