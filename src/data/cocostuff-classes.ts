/**
 * COCO-Stuff 164k class names, as the dataset's labels.txt gives them. The stuffthingmaps label PNGs store
 * the COCO-Stuff id minus 1: 0..90 are the 91 COCO thing ids (80 of them used; street sign, hat, shoe,
 * eye glasses, plate, mirror, window, desk, door, blender and hair brush were never annotated), 91..181
 * the 91 stuff classes, 255 unlabelled. Training uses the 171 used ids in id order as classes 0..170.
 */

/** All 182 raw names by label-map value (0 = person ... 181 = wood), unused thing ids included. */
export const COCOSTUFF_RAW_NAMES: readonly string[] = Object.freeze([
  // things, 0..90
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'street sign', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep',
  'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'hat', 'backpack', 'umbrella', 'shoe', 'eye glasses',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat',
  'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle', 'plate', 'wine glass', 'cup', 'fork',
  'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza',
  'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'mirror', 'dining table', 'window', 'desk',
  'toilet', 'door', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'blender', 'book', 'clock', 'vase', 'scissors', 'teddy bear',
  'hair drier', 'toothbrush', 'hair brush',
  // stuff, 91..181
  'banner', 'blanket', 'branch', 'bridge', 'building-other', 'bush', 'cabinet', 'cage', 'cardboard', 'carpet',
  'ceiling-other', 'ceiling-tile', 'cloth', 'clothes', 'clouds', 'counter', 'cupboard', 'curtain',
  'desk-stuff', 'dirt', 'door-stuff', 'fence', 'floor-marble', 'floor-other', 'floor-stone', 'floor-tile',
  'floor-wood', 'flower', 'fog', 'food-other', 'fruit', 'furniture-other', 'grass', 'gravel', 'ground-other',
  'hill', 'house', 'leaves', 'light', 'mat', 'metal', 'mirror-stuff', 'moss', 'mountain', 'mud', 'napkin',
  'net', 'paper', 'pavement', 'pillow', 'plant-other', 'plastic', 'platform', 'playingfield', 'railing',
  'railroad', 'river', 'road', 'rock', 'roof', 'rug', 'salad', 'sand', 'sea', 'shelf', 'sky-other',
  'skyscraper', 'snow', 'solid-other', 'stairs', 'stone', 'straw', 'structural-other', 'table', 'tent',
  'textile-other', 'towel', 'tree', 'vegetable', 'wall-brick', 'wall-concrete', 'wall-other', 'wall-panel',
  'wall-stone', 'wall-tile', 'wall-wood', 'water-other', 'waterdrops', 'window-blind', 'window-other', 'wood',
]);

/** The 11 thing ids (label-map values) that COCO never annotated; they do not occur in the label maps. */
export const COCOSTUFF_UNUSED_IDS: readonly number[] = Object.freeze([11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90]);

/** First stuff id (banner); ids below it are things. */
export const COCOSTUFF_FIRST_STUFF_ID = 91;

/** The 171 used raw ids in increasing order: class c is label-map value COCOSTUFF_IDS[c]. */
export const COCOSTUFF_IDS: readonly number[] = Object.freeze(
  COCOSTUFF_RAW_NAMES.map((_, id) => id).filter((id) => !COCOSTUFF_UNUSED_IDS.includes(id)),
);

/** The 171 class names in id order (0 person, 1 bicycle, 2 car, ..., 80 banner, ..., 170 wood). */
export const COCOSTUFF_CLASSES: readonly string[] = Object.freeze(COCOSTUFF_IDS.map((id) => COCOSTUFF_RAW_NAMES[id]!));
