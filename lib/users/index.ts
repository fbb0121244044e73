export { roleSchema, setUserRole, UserNotFoundError, type RoleName } from "./set-user-role";
