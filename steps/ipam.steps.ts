import { Then } from '@cucumber/cucumber';
import { blocksDoNotOverlap, blocksSharedOnlyOnANode, everyNodeHasBlock, podsInTheirNodesBlock } from '../support/claims/ipam.ts';
import type { PodNetWorld } from '../support/world.ts';

Then("every node holds its own block of the pool's block size", async function (this: PodNetWorld) {
  await this.verify(everyNodeHasBlock(this.cluster));
});

Then("every pod's IP lies in a block affine to its own node", async function (this: PodNetWorld) {
  await this.verify(podsInTheirNodesBlock(this.cluster));
});

Then('no two blocks overlap', async function (this: PodNetWorld) {
  await this.verify(blocksDoNotOverlap(this.cluster));
});

Then('pods on the same node share a block and pods on different nodes do not', async function (this: PodNetWorld) {
  await this.verify(blocksSharedOnlyOnANode(this.cluster));
});
