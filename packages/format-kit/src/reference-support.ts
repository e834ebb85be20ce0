import { controlTypes, hasValueList, inputTypes, type LabelConfig, type Support } from '@lsconv/core';

/** Every export type of Label Studio's converter, in its order. */
export const REFERENCE_FORMATS = [
  'JSON',
  'JSON_MIN',
  'CSV',
  'TSV',
  'CONLL2003',
  'COCO',
  'VOC',
  'BRUSH_TO_NUMPY',
  'BRUSH_TO_PNG',
  'ASR_MANIFEST',
  'YOLO',
  'YOLO_OBB',
  'CSV_OLD',
  'YOLO_WITH_IMAGES',
  'COCO_WITH_IMAGES',
  'YOLO_OBB_WITH_IMAGES',
  'BRUSH_TO_COCO',
  'DOCLANG',
] as const;

/**
 * The formats Label Studio offers for a labeling config, with the reason each other
 * one is refused (the rules of the Python converter's `_get_supported_formats`).
 */
export function referenceSupport(config: LabelConfig): Map<string, Support> {
  const result = new Map<string, Support>();
  const controls = controlTypes(config);
  const inputs = inputTypes(config);
  const mig = hasValueList(config);
  const doclang = [...config.controls.values()].some((c) =>
    ['TextArea', 'ReactCode', 'CustomInterface'].includes(c.type),
  );
  const refuse = (names: readonly string[], reason: string, exportable = false) => {
    for (const name of names)
      if (result.get(name)?.ok !== false)
        result.set(name, exportable ? { ok: false, reason, exportable } : { ok: false, reason });
  };
  for (const name of REFERENCE_FORMATS) result.set(name, { ok: true });
  if (!doclang) refuse(['DOCLANG'], 'needs a TextArea, ReactCode or CustomInterface control');
  if (config.dataKeys.length > 1) {
    const reason = `the config reads ${config.dataKeys.length} data keys (${config.dataKeys.join(', ')}); only JSON, JSON_MIN, CSV and TSV can hold several`;
    refuse(
      REFERENCE_FORMATS.filter((f) => !['JSON', 'JSON_MIN', 'CSV', 'TSV', 'DOCLANG'].includes(f)),
      reason,
    );
    return result;
  }
  const has = (t: string) => controls.has(t);
  if (has('KeyPointLabels') && !has('RectangleLabels')) {
    refuse(
      ['COCO', 'COCO_WITH_IMAGES', 'YOLO', 'YOLO_WITH_IMAGES'],
      'KeyPointLabels need a RectangleLabels parent for COCO and YOLO',
    );
  }
  if (!(inputs.has('Text') && has('Labels')))
    refuse(['CONLL2003'], 'needs a Text object and a Labels control');
  if (mig) refuse(['VOC'], 'multi-image (valueList) projects cannot be exported to VOC');
  if (!(inputs.has('Image') && (has('RectangleLabels') || (has('Rectangle') && has('Labels'))))) {
    refuse(['VOC'], 'needs an Image object with RectangleLabels (or Rectangle and Labels)');
  }
  const vision =
    (inputs.has('Image') && (has('RectangleLabels') || has('PolygonLabels') || has('KeyPointLabels'))) ||
    (has('Rectangle') && has('Labels')) ||
    (has('PolygonLabels') && has('Labels')) ||
    (has('KeyPointLabels') && has('Labels'));
  const visionFormats = [
    'COCO',
    'COCO_WITH_IMAGES',
    'YOLO',
    'YOLO_WITH_IMAGES',
    'YOLO_OBB',
    'YOLO_OBB_WITH_IMAGES',
  ];
  if (mig) {
    const reason = 'multi-image (valueList) projects cannot be exported to COCO or YOLO';
    // The Python converter's command line writes YOLO label files for them (named after the
    // last image of each task); its COCO crashes on the list.
    if (vision) {
      refuse(['COCO', 'COCO_WITH_IMAGES'], reason);
      const notOffered = 'Label Studio does not offer it for multi-image (valueList) projects';
      refuse(['YOLO', 'YOLO_WITH_IMAGES', 'YOLO_OBB', 'YOLO_OBB_WITH_IMAGES'], notOffered, true);
    } else refuse(visionFormats, reason);
  }
  if (!vision)
    refuse(visionFormats, 'needs an Image object with RectangleLabels, PolygonLabels or KeyPointLabels');
  if (
    !(inputs.has('Image') && (has('BrushLabels') || has('brushlabels') || (has('Brush') && has('Labels'))))
  ) {
    refuse(
      ['BRUSH_TO_NUMPY', 'BRUSH_TO_PNG', 'BRUSH_TO_COCO'],
      'needs an Image object with BrushLabels (or Brush and Labels)',
    );
  }
  if (!((inputs.has('Audio') || inputs.has('AudioPlus')) && has('TextArea'))) {
    refuse(['ASR_MANIFEST'], 'needs an Audio object and a TextArea control');
  }
  if (inputs.has('Video') && has('TimelineLabels')) {
    refuse(['YOLO_OBB', 'YOLO_OBB_WITH_IMAGES'], 'video TimelineLabels cannot be exported to YOLO OBB');
  }
  return result;
}

/** The `supports` of a format that Label Studio also offers: its rule, verbatim. */
export function referenceSupports(formatId: string): (config: LabelConfig) => Support {
  return (config) => referenceSupport(config).get(formatId) ?? { ok: true };
}
