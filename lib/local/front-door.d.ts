export interface DoorRequest {
  method?: string;
  headers: Record<string, string | undefined>;
}
export type DoorDecision =
  | { refuse: { status: number; code: string; message: string } }
  | { grant: string | undefined; preflight: boolean; refuse?: undefined };
export function frontDoor(
  request: DoorRequest,
  settings: { door: 'api' | 'invoke'; loopbackOnly: boolean; corsOrigins: string[] },
): DoorDecision;
export function hostName(host: string | undefined): string;
