# Reference values for Cochran's Q (src/stats/cochran-q.ts): equal proportions across k matched
# groups of binary outcomes, here the same meanings (blocks) detected or not in k languages.
#
# Writes test/fixtures/reference/tests-cochran-q.json. Base R has no function named after Cochran,
# but on 0/1 data the Friedman rank-sum test with its tie correction IS Cochran's Q (same
# statistic, k - 1 degrees of freedom), so stats::friedman.test is the reference:
#
#   Rscript scripts/reference/cochran.R
#
# Needs R with stats and jsonlite (Debian: r-base-core r-cran-jsonlite).

suppressPackageStartupMessages(library(jsonlite))
output_directory <- file.path("test", "fixtures", "reference")
if (!dir.exists(output_directory)) stop("run from the repository root: Rscript scripts/reference/cochran.R")

set.seed(20261208)
# Blocks of unequal difficulty (each block's own detection probability), as real items are.
random_matrix <- function(blocks, groups, group_shift) {
  difficulty <- runif(blocks, 0.35, 0.98)
  shift <- seq(-group_shift, group_shift, length.out = groups)
  t(sapply(difficulty, function(p) rbinom(groups, 1, pmin(1, pmax(0, p + shift)))))
}
matrices <- list(
  parallel_20_by_16 = random_matrix(20, 16, 0),
  parallel_44_by_16_shifted = random_matrix(44, 16, 0.15),
  small_6_by_3 = matrix(c(1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0), nrow = 6, byrow = TRUE),
  two_groups_12 = random_matrix(12, 2, 0.2)
)
cases <- list()
for (name in names(matrices)) {
  m <- matrices[[name]]
  result <- friedman.test(m)
  cases[[length(cases) + 1]] <- list(
    name = name,
    rows = lapply(seq_len(nrow(m)), function(i) I(as.integer(m[i, ]))),
    statistic = unname(result$statistic),
    degreesOfFreedom = unname(result$parameter),
    pValue = result$p.value
  )
}
value <- list(
  cases = cases,
  generatedBy = list(script = "scripts/reference/cochran.R", r = R.version.string,
                     jsonlite = as.character(packageVersion("jsonlite")))
)
path <- file.path(output_directory, "tests-cochran-q.json")
write_json(value, path, digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("wrote", path, "\n")
