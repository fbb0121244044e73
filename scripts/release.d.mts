export declare const RELEASE_SOURCES: { dirs: string[]; files: string[]; ignored: RegExp };
/** The release id of the project at `root`: 16 hex digits, the same wherever the tree lies. */
export declare function releaseId(root: string): string;
/** NEXT_SERVER_ACTIONS_ENCRYPTION_KEY derived from GATEHOUSE_SECRET. */
export declare function serverActionsKey(gatehouseSecret: string): string;
