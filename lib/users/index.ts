export { listUsers, type UserSummary } from "./list-users";
export { roleSchema, setUserRole, UserNotFoundError, type RoleName } from "./set-user-role";
