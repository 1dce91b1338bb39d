/** Pull-time and readiness figures in ms, by image name and by service. */
export function ideal(pullMs: Record<string, number>, readyMs: Record<string, number>, settleMs?: Record<string, number>): number;
export function cold(runs: number): Promise<void>;
