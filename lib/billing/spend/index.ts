export * from "./spend";
export * from "./spend-readers";
