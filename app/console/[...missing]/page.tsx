import { notFound } from "next/navigation";

// Any console address no page answers: the 404 renders inside the console layout (app/console/not-found.tsx),
// so the signed-in header and navigation stay.
export default function MissingConsolePage(): never {
  notFound();
}
