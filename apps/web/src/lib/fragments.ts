// GraphQL selections shared by several pages, kept in step with the types in ./types.ts.
export const GALLERY_IMAGE_FIELDS = /* GraphQL */ `
  fragment GalleryImageFields on Image {
    id
    filename
    width
    height
    thumbnailUrl
    split
    meanRating
    bestBleu
    captioningPending
    captions {
      id
      text
      sentenceBleu
      model {
        id
        variant
      }
    }
  }
`;

export const CAPTION_DETAIL_FIELDS = /* GraphQL */ `
  fragment CaptionDetailFields on Caption {
    id
    text
    tokens
    sentenceBleu
    sentenceRougeL
    sentenceCiderD
    logProb
    latencyMs
    model {
      id
      variant
    }
    nBest {
      text
      logProb
      score
    }
    attention {
      rows
      cols
      steps {
        word
        weights
      }
    }
    decode {
      beamSize
      maxLength
    }
    ratings {
      count
      mean
      histogram
    }
    myRating
  }
`;

export const EVALUATION_RUN_FIELDS = /* GraphQL */ `
  fragment EvaluationRunFields on EvaluationRun {
    id
    split
    dataset
    status
    progress
    processed
    total
    reusedCaptions
    bleu
    cider
    rougeL
    error
    createdAt
    finishedAt
    model {
      id
      variant
    }
    decode {
      beamSize
      maxLength
    }
  }
`;

export const MODEL_INFO_FIELDS = /* GraphQL */ `
  fragment ModelInfoFields on Model {
    id
    variant
    dataset
    loaded
    loadError
    params {
      trainable
      frozen
      total
    }
    trainingMetrics {
      split
      loss
      bleu
      cider
      rougeL
    }
  }
`;
