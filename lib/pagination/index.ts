// Keyset ("cursor") pagination and sorting for the console's and portal's lists: the URL state
// schema, the cursor codec and the page shape. Kept free of React and Prisma.
export { decodeCursor, encodeCursor } from "./cursor";
export { listQuerySchema, textFilterSchema, type SortDirection } from "./list-query-schema";
export { beyond, toPage, type Page } from "./page";
