/** Next 16 and Prisma 7 need Node.js 20.19 or newer. */
export function checkNodeVersion(version = process.versions.node): string | null {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 20 || (major === 20 && minor >= 19)) return null;
  return `Gatehouse needs Node.js 20.19 or newer; this is ${version}.`;
}
