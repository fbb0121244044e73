import { expect, test, type Page } from "@playwright/test";
import { gatehouse } from "./fixtures/cli";
import { multipart, serverActionFields } from "./server-action-form";
import { signIn, signInAsNewStaff } from "./sign-in";

const baseURL = process.env.E2E_BASE_URL ?? "";

/** A new buyer (with an order) made through the operations CLI, which the running server executes. */
async function createBuyer(): Promise<string> {
  const email = `target-${Date.now()}@example.com`;
  await gatehouse("order", "create", "--email", email, "--plan", "Starter 30");
  return email;
}

/** The server-action fields of the role form for `email`, from the admin's server-rendered users page. */
async function roleFormFields(admin: Page, email: string): Promise<[string, string][]> {
  const html = await (await admin.request.get(`/console/users?q=${encodeURIComponent(email)}`)).text();
  return serverActionFields(html, `name="email" value="${email}"`);
}

function roleSelect(page: Page, email: string) {
  return page.getByRole("combobox", { name: `Role of ${email}` });
}

test.describe("console access by role", () => {
  test("a buyer gets 404 for the console, its pages and its actions", async ({ page, browser }) => {
    const target = await createBuyer();

    // An admin's users page carries the role form; its hidden fields name the server action.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signInAsNewStaff(admin, "ADMIN");
    await admin.goto(`/console/users?q=${encodeURIComponent(target)}`);
    await expect(roleSelect(admin, target)).toHaveValue("BUYER");
    const actionFields = await roleFormFields(admin, target);
    expect(actionFields.length).toBeGreaterThan(0);

    // The target buyer itself, even for its own address (demo addresses are kept for the sign-in specs).
    await signIn(page, target);
    await expect(page).toHaveURL(`${baseURL}/dashboard`);
    for (const path of ["/console", "/console/users", "/console/orders", "/console/audit"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
    }

    // The buyer posts the role change straight to the server, as a script would.
    const { body, contentType } = await multipart([...actionFields, ["email", target], ["role", "ADMIN"]]);
    const direct = await page.request.post("/console/users", { data: body, headers: { "content-type": contentType, origin: new URL(baseURL).origin } });
    expect(direct.status()).toBe(404);

    await admin.goto(`/console/users?q=${encodeURIComponent(target)}`);
    await expect(roleSelect(admin, target)).toHaveValue("BUYER");
    await adminContext.close();
  });

  test("support works in the console but cannot reach admin pages or change roles", async ({ page, browser }) => {
    test.setTimeout(60_000);
    const target = await createBuyer();
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signInAsNewStaff(admin, "ADMIN");
    const actionFields = await roleFormFields(admin, target);

    await signInAsNewStaff(page, "SUPPORT");
    await expect(page).toHaveURL(`${baseURL}/console`);
    const nav = page.getByRole("navigation", { name: "Console" });
    for (const name of ["Tickets", "Orders", "Keys", "Requests", "Users"]) await expect(nav.getByRole("link", { name })).toBeVisible();
    for (const name of ["Plans", "Prices", "Channels", "Audit log"]) await expect(nav.getByRole("link", { name })).toHaveCount(0);

    await page.goto(`/console/users?q=${encodeURIComponent(target)}`);
    await expect(page.getByRole("row", { name: new RegExp(target) })).toContainText("Buyer");
    await expect(roleSelect(page, target)).toHaveCount(0);

    for (const path of ["/console/plans", "/console/prices", "/console/channels", "/console/audit"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
    }
    // A console address nothing answers keeps the console around its 404: header, navigation, a way on.
    expect((await page.goto("/console/no-such-page"))?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Tickets" })).toBeVisible();
    await expect(page.getByRole("main").getByRole("link", { name: "Console overview" })).toHaveAttribute("href", "/console");

    const { body, contentType } = await multipart([...actionFields, ["email", target], ["role", "SUPPORT"]]);
    const direct = await page.request.post("/console/users", { data: body, headers: { "content-type": contentType, origin: new URL(baseURL).origin } });
    expect(direct.status()).toBe(404);
    await admin.goto(`/console/users?q=${encodeURIComponent(target)}`);
    await expect(roleSelect(admin, target)).toHaveValue("BUYER");
    await adminContext.close();
  });

  test("an admin changes a role, and the audit log records who did it", async ({ page }) => {
    const target = await createBuyer();
    const adminEmail = await signInAsNewStaff(page, "ADMIN");
    const nav = page.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Users" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();

    await page.getByRole("searchbox", { name: "Search by email" }).fill(target);
    await page.getByRole("button", { name: "Search" }).click();
    await roleSelect(page, target).selectOption("SUPPORT");
    await page.getByRole("button", { name: `Save role of ${target}` }).click();
    await expect(page.getByRole("status").filter({ hasText: `${target} is now support.` })).toBeVisible();

    await nav.getByRole("link", { name: "Audit log" }).click();
    const entry = page.getByRole("row", { name: /user\.role_changed/ }).filter({ hasText: target });
    await expect(entry).toContainText(adminEmail);
    await expect(entry).toContainText('"from":"BUYER"');
    await expect(entry).toContainText('"to":"SUPPORT"');
  });
});
