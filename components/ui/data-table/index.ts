export { DataTable, type DataTableColumn, type DataTableProps } from "./data-table";
export { ListFilter } from "./list-filter";
export { listHref, type ListUrlState } from "./list-href";
export { ListFilters, type ListFilterField } from "./list-filters";
