import { expect, it } from "vitest";
import { fileLimitWarning, RECOMMENDED_OPEN_FILES } from "./check-file-limit";

const limits = (soft: string, hard = soft) =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 ${hard}                 files\n`;

it("warns when the open-file limit cannot hold a burst of streams, with what to do", () => {
  const warning = fileLimitWarning(limits("1024"));
  expect(warning).toMatch(/may open 1024 files, so it can hold about 512 streams/);
  expect(warning).toMatch(/LimitNOFILE/);
  expect(fileLimitWarning(limits(String(RECOMMENDED_OPEN_FILES)))).toBeNull();
  expect(fileLimitWarning(limits("unlimited"))).toBeNull();
  expect(fileLimitWarning(null)).toBeNull();
});

it("reads this process's own limit on Linux", () => {
  // Whatever the limit here, the answer is a warning or nothing, never a throw.
  expect(() => fileLimitWarning()).not.toThrow();
});
