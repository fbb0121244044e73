import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage } from "./index";

describe("list URL state", () => {
  const schema = listQuerySchema(["created", "email"], { sort: "created", dir: "desc" }).extend({ q: textFilterSchema });

  it("reads an allow-listed sort, a direction, a cursor and a filter", () => {
    expect(schema.parse({ sort: "email", dir: "asc", cursor: "abc", q: "  bob " })).toEqual({ sort: "email", dir: "asc", cursor: "abc", q: "bob" });
  });

  it("falls back to the defaults for anything else, never an error", () => {
    expect(schema.parse({})).toEqual({ sort: "created", dir: "desc", cursor: null, q: "" });
    expect(schema.parse({ sort: "password", dir: "sideways", cursor: ["a", "b"], q: ["x", "y"] })).toEqual({
      sort: "created",
      dir: "desc",
      cursor: null,
      q: "",
    });
    expect(schema.parse({ sort: "createdAt; DROP TABLE users", cursor: "x".repeat(600), q: "y".repeat(300) })).toEqual({
      sort: "created",
      dir: "desc",
      cursor: null,
      q: "",
    });
  });
});

describe("text the database cannot take", () => {
  it("falls back to the unfiltered first page instead of an error page", () => {
    const schema = listQuerySchema(["created"], { sort: "created", dir: "desc" }).extend({ q: textFilterSchema });
    expect(schema.parse({ q: "bob\u0000", cursor: "abc\u0000" })).toMatchObject({ q: "", cursor: null });
    expect(schema.parse({ q: " bob " })).toMatchObject({ q: "bob" });
  });
});

describe("cursors", () => {
  const position = z.tuple([z.iso.datetime(), z.string()]);

  it("round-trip a position", () => {
    const cursor = encodeCursor(["2026-01-02T03:04:05.000Z", "ord_1"]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, position)).toEqual(["2026-01-02T03:04:05.000Z", "ord_1"]);
  });

  it("treat a missing, garbled or mistyped cursor as the first page", () => {
    expect(decodeCursor(null, position)).toBeNull();
    expect(decodeCursor("%%%", position)).toBeNull();
    expect(decodeCursor(Buffer.from("{not json").toString("base64url"), position)).toBeNull();
    expect(decodeCursor(encodeCursor(["yesterday", "ord_1"]), position)).toBeNull();
    expect(decodeCursor(encodeCursor([1, 2, 3]), position)).toBeNull();
  });
});

describe("pages", () => {
  it("keeps `take` rows and points past the last one when more follow", () => {
    expect(toPage([1, 2, 3], 2, String)).toEqual({ rows: [1, 2], nextCursor: "2" });
    expect(toPage([1, 2], 2, String)).toEqual({ rows: [1, 2], nextCursor: null });
    expect(toPage([], 2, String)).toEqual({ rows: [], nextCursor: null });
  });
});
