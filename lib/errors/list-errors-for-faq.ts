import { ERROR_CODES, type ErrorCode } from "./error-codes";
import { ERROR_TABLE } from "./error-table";

export interface FaqErrorRow {
  status: number;
  code: ErrorCode;
  title: string;
  meaning: string;
  whatToDo: string;
}

/** The troubleshooting table of the FAQ, in the Errors table's order: the codes API clients meet. */
export function listErrorsForFaq(): FaqErrorRow[] {
  return ERROR_CODES.filter((code) => ERROR_TABLE[code].audience === undefined).map((code) => {
    const { status, title, meaning, whatToDo } = ERROR_TABLE[code];
    return { status, code, title, meaning, whatToDo };
  });
}
