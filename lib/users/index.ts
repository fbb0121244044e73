export { listUsers, userListQuerySchema, type UserListQuery, type UserSummary } from "./list-users";
export { LastAdminError, roleSchema, setUserRole, UserNotFoundError, type RoleName } from "./set-user-role";
