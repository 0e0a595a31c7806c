// The aggregate datasets this node releases, by id. Each belongs to the union that describes it in
// union-catalog.ts (a test checks the two agree).
import { chargingDataset } from './charging-dataset.ts';
import type { Dataset } from './dataset.ts';
import { sohDataset } from './soh-dataset.ts';
import { tripsDataset } from './trips-dataset.ts';

export const DATASETS: readonly Dataset<any, any>[] = [sohDataset, chargingDataset, tripsDataset];

export function datasetById(id: string): Dataset<any, any> | undefined {
  return DATASETS.find((d) => d.id === id);
}
