// The query bench's sections, run in order against one loaded node. Append a section here (its own file
// under bench/query/) to add figures, e.g. live_p50_ms / live_p99_ms.
import type { Reporter } from '../report.ts';
import type { QueryBench } from './harness.ts';
import { latestAndAggregation } from './latest-and-aggregation.ts';

export type QuerySection = (bench: QueryBench, reporter: Reporter, args: string[]) => Promise<void>;

export const QUERY_SECTIONS: QuerySection[] = [latestAndAggregation];
