# Reference values for backfire's tests, effect sizes, Bayes factors and power (src/stats/).
#
# Writes test/fixtures/reference/tests-*.json. The fixtures are checked in, so CI needs no R; rerun
# this script only when the cases below change:
#
#   Rscript scripts/reference/tests.R
#
# Needs R with the packages stats, BayesFactor and jsonlite (Debian: r-base-core r-cran-bayesfactor
# r-cran-jsonlite). Every data set is rounded to a few decimals before any statistic is computed, so
# the TypeScript side reads exactly the numbers R used.

suppressPackageStartupMessages({
  library(jsonlite)
  library(BayesFactor)
})

output_directory <- file.path("test", "fixtures", "reference")
if (!dir.exists(output_directory)) {
  stop("run from the repository root: Rscript scripts/reference/tests.R")
}

write_reference <- function(value, name) {
  value$generatedBy <- list(
    script = "scripts/reference/tests.R",
    r = R.version.string,
    bayesFactor = as.character(packageVersion("BayesFactor")),
    jsonlite = as.character(packageVersion("jsonlite"))
  )
  path <- file.path(output_directory, paste0("tests-", name, ".json"))
  # digits = NA: full (15 significant digit) precision. Non-finite numbers become "Inf" / "-Inf".
  write_json(value, path, digits = NA, auto_unbox = TRUE, pretty = TRUE)
  cat("wrote", path, "\n")
}

# Keeps a vector a JSON array even when it has one element.
as_array <- function(x) I(as.numeric(x))

set.seed(20250607)

data_sets <- list(
  balanced = list(x = round(rnorm(15, 0.8, 1), 4), y = round(rnorm(15, 0, 1), 4)),
  unbalanced = list(x = round(rnorm(8, 1.2, 2), 4), y = round(rnorm(13, 0, 0.7), 4)),
  small = list(x = round(rnorm(4, 0.3, 1), 4), y = round(rnorm(5, 0, 1), 4))
)
paired_before <- round(rnorm(12, 5, 1), 4)
paired_after <- round(paired_before + rnorm(12, 0.4, 0.6), 4)
one_sample <- round(rnorm(10, 0.5, 1), 4)

# ---------------------------------------------------------------------------------------------
# Descriptives
# ---------------------------------------------------------------------------------------------
descriptive_samples <- list(
  oneSample = one_sample,
  balancedX = data_sets$balanced$x,
  withTies = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5),
  two = c(2.5, -1.25)
)
probabilities <- c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1)
descriptives <- lapply(names(descriptive_samples), function(name) {
  values <- descriptive_samples[[name]]
  list(
    name = name,
    values = as_array(values),
    mean = mean(values),
    variance = var(values),
    sd = sd(values),
    median = median(values),
    standardError = sd(values) / sqrt(length(values)),
    probabilities = as_array(probabilities),
    quantiles = as_array(quantile(values, probabilities, type = 7, names = FALSE)),
    ci95 = as_array(t.test(values)$conf.int),
    ci90 = as_array(t.test(values, conf.level = 0.9)$conf.int)
  )
})
write_reference(list(cases = descriptives), "descriptives")

# ---------------------------------------------------------------------------------------------
# Distributions: central t, F, chi-square, normal, and the noncentral t on a grid
# ---------------------------------------------------------------------------------------------
central <- list()
for (q in c(-40, -6, -2.17, -0.3, 0, 0.7, 2.01, 5.19, 12)) {
  for (df in c(1, 2.5, 14, 28, 1000, 5e5)) {
    central[[length(central) + 1]] <- list(
      distribution = "t", x = q, df = df,
      lower = pt(q, df), upper = pt(q, df, lower.tail = FALSE)
    )
  }
}
for (p in c(1e-10, 0.001, 0.025, 0.3, 0.5, 0.95, 0.975, 0.999999)) {
  for (df in c(1, 3, 14, 28, 300)) {
    central[[length(central) + 1]] <- list(distribution = "t-quantile", p = p, df = df, value = qt(p, df))
  }
  central[[length(central) + 1]] <- list(distribution = "normal-quantile", p = p, value = qnorm(p))
}
for (q in c(0.01, 0.5, 1, 3.2, 10, 60)) {
  for (dfs in list(c(1, 10), c(3, 28), c(2.5, 7.5), c(10, 1000))) {
    central[[length(central) + 1]] <- list(
      distribution = "f", x = q, df1 = dfs[1], df2 = dfs[2],
      lower = pf(q, dfs[1], dfs[2]), upper = pf(q, dfs[1], dfs[2], lower.tail = FALSE)
    )
  }
  for (df in c(1, 4, 15.5)) {
    central[[length(central) + 1]] <- list(
      distribution = "chi-square", x = q, df = df,
      lower = pchisq(q, df), upper = pchisq(q, df, lower.tail = FALSE)
    )
  }
}
for (p in c(0.01, 0.05, 0.5, 0.95, 0.99)) {
  central[[length(central) + 1]] <- list(distribution = "f-quantile", p = p, df1 = 3, df2 = 28, value = qf(p, 3, 28))
  central[[length(central) + 1]] <- list(distribution = "chi-square-quantile", p = p, df = 4, value = qchisq(p, 4))
}
for (z in c(-9, -3, -1.96, 0, 0.5, 2.5, 8)) {
  central[[length(central) + 1]] <- list(distribution = "normal", x = z, lower = pnorm(z), upper = pnorm(z, lower.tail = FALSE))
}

noncentral <- list()
for (q in c(-4, -1.5, -0.2, 0, 0.3, 1, 2.17, 4, 8, 15)) {
  for (df in c(1, 2.5, 5, 14, 28, 120)) {
    for (ncp in c(-3, -0.5, 0.4, 1, 2.5, 6, 12)) {
      noncentral[[length(noncentral) + 1]] <- list(
        x = q, df = df, ncp = ncp,
        lower = suppressWarnings(pt(q, df, ncp = ncp)),
        upper = suppressWarnings(pt(q, df, ncp = ncp, lower.tail = FALSE))
      )
    }
  }
}
write_reference(list(central = central, noncentral = noncentral), "distributions")

# ---------------------------------------------------------------------------------------------
# t tests
# ---------------------------------------------------------------------------------------------
htest_record <- function(result, extra) {
  c(extra, list(
    statistic = unname(result$statistic),
    df = unname(result$parameter),
    p = result$p.value,
    ci = as_array(result$conf.int),
    standardError = result$stderr
  ))
}
t_tests <- list()
for (name in names(data_sets)) {
  x <- data_sets[[name]]$x
  y <- data_sets[[name]]$y
  for (var_equal in c(TRUE, FALSE)) {
    for (alternative in c("two.sided", "less", "greater")) {
      for (mu in c(0, 0.25)) {
        for (level in c(0.95, 0.9)) {
          result <- t.test(x, y, var.equal = var_equal, alternative = alternative, mu = mu, conf.level = level)
          t_tests[[length(t_tests) + 1]] <- htest_record(result, list(
            dataSet = name, method = if (var_equal) "student" else "welch",
            alternative = alternative, mu = mu, confidenceLevel = level,
            estimate = mean(x) - mean(y)
          ))
        }
      }
    }
  }
}
for (alternative in c("two.sided", "less", "greater")) {
  for (mu in c(0, -0.3)) {
    result <- t.test(paired_before, paired_after, paired = TRUE, alternative = alternative, mu = mu)
    t_tests[[length(t_tests) + 1]] <- htest_record(result, list(
      dataSet = "paired", method = "paired", alternative = alternative, mu = mu, confidenceLevel = 0.95,
      estimate = mean(paired_before - paired_after)
    ))
    result <- t.test(one_sample, alternative = alternative, mu = mu, conf.level = 0.9)
    t_tests[[length(t_tests) + 1]] <- htest_record(result, list(
      dataSet = "oneSample", method = "one-sample", alternative = alternative, mu = mu, confidenceLevel = 0.9,
      estimate = mean(one_sample)
    ))
  }
}
write_reference(list(
  dataSets = data_sets,
  paired = list(x = paired_before, y = paired_after),
  oneSample = one_sample,
  cases = t_tests
), "t-test")

# ---------------------------------------------------------------------------------------------
# Effect sizes: Cohen's d, Hedges' g with the exact correction, CIs by inverting the noncentral t
# (what MBESS::ci.smd does for d; effectsize::hedges_g multiplies those limits by J)
# ---------------------------------------------------------------------------------------------
hedges_correction <- function(df) exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))

# The ncp with pt(t, df, ncp) = probability; pt falls as ncp grows.
ncp_for_probability <- function(t, df, probability) {
  uniroot(
    function(ncp) pt(t, df, ncp = ncp) - probability,
    interval = c(t - 1, t + 1), extendInt = "downX", tol = 1e-13, maxiter = 10000
  )$root
}
ncp_interval <- function(t, df, level) {
  alpha <- 1 - level
  c(ncp_for_probability(t, df, 1 - alpha / 2), ncp_for_probability(t, df, alpha / 2))
}

effect_sizes <- list()
for (name in names(data_sets)) {
  x <- data_sets[[name]]$x
  y <- data_sets[[name]]$y
  n1 <- length(x)
  n2 <- length(y)
  df <- n1 + n2 - 2
  pooled_sd <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / df)
  d <- (mean(x) - mean(y)) / pooled_sd
  t <- d / sqrt(1 / n1 + 1 / n2)
  j <- hedges_correction(df)
  for (level in c(0.95, 0.9)) {
    ncp <- ncp_interval(t, df, level)
    ci_d <- ncp * sqrt(1 / n1 + 1 / n2)
    effect_sizes[[length(effect_sizes) + 1]] <- list(
      dataSet = name, design = "two-sample", confidenceLevel = level,
      n1 = n1, n2 = n2, df = df, pooledSd = pooled_sd, t = t, d = d, correction = j, g = j * d,
      ncpInterval = as_array(ncp), ciD = as_array(ci_d), ciG = as_array(j * ci_d)
    )
  }
}
differences <- paired_before - paired_after
for (design in c("paired", "one-sample")) {
  values <- if (design == "paired") differences else one_sample
  n <- length(values)
  df <- n - 1
  d <- mean(values) / sd(values)
  t <- d * sqrt(n)
  j <- hedges_correction(df)
  ncp <- ncp_interval(t, df, 0.95)
  effect_sizes[[length(effect_sizes) + 1]] <- list(
    dataSet = if (design == "paired") "paired" else "oneSample", design = design, confidenceLevel = 0.95,
    n1 = n, df = df, t = t, d = d, correction = j, g = j * d,
    ncpInterval = as_array(ncp), ciD = as_array(ncp / sqrt(n)), ciG = as_array(j * ncp / sqrt(n))
  )
}
# docs/paper-notes.md's numbers table: Hedges' g with n = 15 + 15 back to d, t(28) and p.
paper <- lapply(c(0.771, -1.844), function(g) {
  j <- hedges_correction(28)
  d <- g / j
  t <- d / sqrt(1 / 15 + 1 / 15)
  list(g = g, n1 = 15, n2 = 15, correction = j, d = d, t = t, df = 28, p = 2 * pt(-abs(t), 28))
})
corrections <- lapply(c(2, 3, 5, 10, 28, 100, 1000, 3.5), function(df) list(df = df, correction = hedges_correction(df)))
write_reference(list(
  dataSets = data_sets,
  paired = list(x = paired_before, y = paired_after),
  oneSample = one_sample,
  cases = effect_sizes,
  paper = paper,
  corrections = corrections
), "effect-size")

# ---------------------------------------------------------------------------------------------
# Correlations
# ---------------------------------------------------------------------------------------------
correlation_x <- round(rnorm(16), 3)
correlation_y <- round(0.5 * correlation_x + rnorm(16), 3)
pearson <- list()
for (alternative in c("two.sided", "less", "greater")) {
  for (level in c(0.95, 0.9)) {
    result <- cor.test(correlation_x, correlation_y, alternative = alternative, conf.level = level)
    pearson[[length(pearson) + 1]] <- list(
      alternative = alternative, confidenceLevel = level, estimate = unname(result$estimate),
      statistic = unname(result$statistic), df = unname(result$parameter), p = result$p.value,
      ci = as_array(result$conf.int)
    )
  }
}
paper_correlation <- list(r = 0.474, n = 16, df = 14, t = 0.474 * sqrt(14) / sqrt(1 - 0.474^2))
paper_correlation$p <- 2 * pt(-abs(paper_correlation$t), 14)

spearman_sets <- list(
  exactSeven = list(x = round(rnorm(7), 3), y = round(rnorm(7), 3)),
  exactNine = list(x = c(1, 2, 3, 4, 5, 6, 7, 8, 9), y = c(2, 1, 4, 3, 7, 5, 6, 9, 8)),
  edgeworthTwenty = list(x = round(rnorm(20), 3), y = NULL),
  ties = list(x = c(1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8), y = c(2, 1, 3, 3, 5, 4, 6, 6, 8, 7, 9, 9)),
  large = list(x = sample(1300), y = NULL)
)
spearman_sets$edgeworthTwenty$y <- round(spearman_sets$edgeworthTwenty$x * 0.4 + rnorm(20), 3)
spearman_sets$large$y <- as.integer(rank(spearman_sets$large$x + rnorm(1300, 0, 900)))
spearman <- list()
for (name in names(spearman_sets)) {
  x <- spearman_sets[[name]]$x
  y <- spearman_sets[[name]]$y
  for (alternative in c("two.sided", "less", "greater")) {
    for (exact in c(TRUE, FALSE)) {
      result <- suppressWarnings(cor.test(x, y, method = "spearman", alternative = alternative, exact = exact))
      spearman[[length(spearman) + 1]] <- list(
        dataSet = name, alternative = alternative, exact = exact,
        estimate = unname(result$estimate), statistic = unname(result$statistic), p = result$p.value
      )
    }
  }
}
write_reference(list(
  pearsonData = list(x = correlation_x, y = correlation_y),
  pearson = pearson,
  paper = paper_correlation,
  spearmanData = spearman_sets,
  spearman = spearman
), "correlation")

# ---------------------------------------------------------------------------------------------
# Multiplicity
# ---------------------------------------------------------------------------------------------
p_sets <- list(
  withTies = c(0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.5, 0.001, 0.9, 0.04),
  sixteen = round(runif(16)^3, 6),
  single = c(0.03)
)
multiplicity <- lapply(names(p_sets), function(name) {
  p <- p_sets[[name]]
  list(
    name = name, p = as_array(p),
    holm = as_array(p.adjust(p, "holm")),
    bh = as_array(p.adjust(p, "BH")),
    bonferroni = as_array(p.adjust(p, "bonferroni"))
  )
})
write_reference(list(cases = multiplicity), "multiplicity")

# ---------------------------------------------------------------------------------------------
# Equivalence (TOST) for two independent means, computed from two one-sided t.test calls
# ---------------------------------------------------------------------------------------------
tost <- list()
for (name in c("balanced", "unbalanced")) {
  x <- data_sets[[name]]$x
  y <- data_sets[[name]]$y
  n1 <- length(x)
  n2 <- length(y)
  for (var_equal in c(TRUE, FALSE)) {
    for (bounds in list(list(units = "raw", lower = -0.5, upper = 0.5), list(units = "raw", lower = -1, upper = 2),
                        list(units = "d", lower = -0.5, upper = 0.5), list(units = "d", lower = -2, upper = 1.5))) {
      # Standardised bounds convert to raw units with the pooled SD (Student) or the root mean
      # variance (Welch), as TOSTER::TOSTtwo does.
      scale <- if (bounds$units == "raw") 1 else if (var_equal) {
        sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / (n1 + n2 - 2))
      } else {
        sqrt((var(x) + var(y)) / 2)
      }
      lower <- bounds$lower * scale
      upper <- bounds$upper * scale
      lower_test <- t.test(x, y, mu = lower, alternative = "greater", var.equal = var_equal)
      upper_test <- t.test(x, y, mu = upper, alternative = "less", var.equal = var_equal)
      tost[[length(tost) + 1]] <- list(
        dataSet = name, method = if (var_equal) "student" else "welch", units = bounds$units,
        lower = bounds$lower, upper = bounds$upper, alpha = 0.05,
        rawLower = lower, rawUpper = upper, estimate = mean(x) - mean(y),
        df = unname(lower_test$parameter),
        lowerStatistic = unname(lower_test$statistic), lowerP = lower_test$p.value,
        upperStatistic = unname(upper_test$statistic), upperP = upper_test$p.value,
        p = max(lower_test$p.value, upper_test$p.value),
        ci = as_array(t.test(x, y, var.equal = var_equal, conf.level = 0.9)$conf.int)
      )
    }
  }
}
write_reference(list(dataSets = data_sets, cases = tost), "equivalence")

# ---------------------------------------------------------------------------------------------
# Exact permutation tests of a mean difference, by full enumeration with combn
# ---------------------------------------------------------------------------------------------
permutation_sets <- list(
  small = data_sets$small,
  integers = list(x = c(3, 5, 7, 8, 9, 12), y = c(1, 2, 4, 6, 6, 10)),
  unequal = list(x = round(rnorm(7, 0.6), 3), y = round(rnorm(5), 3))
)
tolerance <- sqrt(.Machine$double.eps)
permutation <- list()
for (name in names(permutation_sets)) {
  x <- permutation_sets[[name]]$x
  y <- permutation_sets[[name]]$y
  pooled <- c(x, y)
  observed <- mean(x) - mean(y)
  splits <- combn(length(pooled), length(x))
  statistics <- apply(splits, 2, function(index) mean(pooled[index]) - mean(pooled[-index]))
  slack <- tolerance * max(1, abs(observed))
  permutation[[length(permutation) + 1]] <- list(
    dataSet = name, x = x, y = y, observed = observed, permutations = ncol(splits),
    twoSided = mean(abs(statistics) >= abs(observed) - slack),
    greater = mean(statistics >= observed - slack),
    less = mean(statistics <= observed + slack)
  )
}
write_reference(list(cases = permutation), "permutation")

# ---------------------------------------------------------------------------------------------
# Bayes factors: BayesFactor::ttestBF / ttest.tstat and correlationBF
# ---------------------------------------------------------------------------------------------
log_bf <- function(bf) unname(extractBF(bf, logbf = TRUE)$bf)
bayes_t <- list()
for (rscale in c("medium", "wide", "ultrawide")) {
  scale_value <- BayesFactor:::rpriorValues("ttestOne", , rscale)
  bayes_t[[length(bayes_t) + 1]] <- list(
    design = "one-sample", dataSet = "oneSample", rscale = scale_value, rscaleName = rscale, mu = 0,
    logBf10 = log_bf(ttestBF(one_sample, mu = 0, rscale = rscale))
  )
  bayes_t[[length(bayes_t) + 1]] <- list(
    design = "one-sample", dataSet = "oneSample", rscale = scale_value, rscaleName = rscale, mu = 0.2,
    logBf10 = log_bf(ttestBF(one_sample, mu = 0.2, rscale = rscale))
  )
  bayes_t[[length(bayes_t) + 1]] <- list(
    design = "paired", dataSet = "paired", rscale = scale_value, rscaleName = rscale, mu = 0,
    logBf10 = log_bf(ttestBF(paired_before, paired_after, paired = TRUE, rscale = rscale))
  )
  for (name in names(data_sets)) {
    bayes_t[[length(bayes_t) + 1]] <- list(
      design = "two-sample", dataSet = name, rscale = scale_value, rscaleName = rscale, mu = 0,
      logBf10 = log_bf(ttestBF(data_sets[[name]]$x, data_sets[[name]]$y, rscale = rscale))
    )
  }
}
from_t <- list()
for (t in c(0, 0.5, -1, 2, 2.17, 3, -5.19, 8, 12)) {
  for (sizes in list(c(10, 0), c(15, 15), c(8, 13), c(50, 50), c(3, 0))) {
    for (rscale in c(sqrt(2) / 2, 1)) {
      result <- ttest.tstat(t, sizes[1], sizes[2], rscale = rscale)
      from_t[[length(from_t) + 1]] <- list(t = t, n1 = sizes[1], n2 = sizes[2], rscale = rscale, logBf10 = result$bf)
    }
  }
}
# The same integral over g with a tight tolerance, independently of BayesFactor (whose own
# quadrature over delta with dt(..., ncp) is good to about 1e-5 on the log scale).
jzs_over_g <- function(t, n1, n2, rscale) {
  effective_n <- if (n2 == 0) n1 else n1 * n2 / (n1 + n2)
  df <- if (n2 == 0) n1 - 1 else n1 + n2 - 2
  integrand <- function(g) {
    spread <- 1 + effective_n * rscale^2 * g
    exp(-0.5 * log(spread) - (df + 1) / 2 * log1p(t^2 / (spread * df)) + (df + 1) / 2 * log1p(t^2 / df) -
      0.5 * log(2 * pi) - 1.5 * log(g) - 1 / (2 * g))
  }
  log(integrate(integrand, 0, Inf, rel.tol = 1e-13, subdivisions = 2000L)$value)
}
high_precision <- lapply(
  list(c(12, 3, 0, 1), c(2.17, 15, 15, sqrt(2) / 2), c(-5.19, 15, 15, sqrt(2) / 2), c(8, 50, 50, 1), c(0.5, 10, 0, 1)),
  function(case) list(t = case[1], n1 = case[2], n2 = case[3], rscale = case[4],
                      logBf10 = jzs_over_g(case[1], case[2], case[3], case[4]))
)
bayes_correlation <- list()
for (rscale in c("medium", "wide", "ultrawide")) {
  bayes_correlation[[length(bayes_correlation) + 1]] <- list(
    rscale = BayesFactor:::rpriorValues("correlation", , rscale), rscaleName = rscale,
    logBf10 = log_bf(correlationBF(correlation_y, correlation_x, rscale = rscale))
  )
}
correlation_grid <- list()
for (r in c(0, 0.1, -0.3, 0.474, 0.7, 0.9, -0.95)) {
  for (n in c(5, 16, 50, 200)) {
    for (kappa in c(1 / 3, 1 / sqrt(3), 1)) {
      correlation_grid[[length(correlation_grid) + 1]] <- list(
        r = r, n = n, rscale = kappa, logBf10 = BayesFactor:::.bf10Exact(n, r, kappa)$bf
      )
    }
  }
}
write_reference(list(
  dataSets = data_sets,
  paired = list(x = paired_before, y = paired_after),
  oneSample = one_sample,
  tTests = bayes_t,
  fromT = from_t,
  highPrecision = high_precision,
  correlationData = list(x = correlation_x, y = correlation_y),
  correlation = bayes_correlation,
  correlationGrid = correlation_grid
), "bayes-factor")

# ---------------------------------------------------------------------------------------------
# Power: power.t.test (default strict = FALSE, and strict = TRUE)
# ---------------------------------------------------------------------------------------------
power_given_n <- list()
for (type in c("two.sample", "one.sample", "paired")) {
  for (alternative in c("two.sided", "one.sided")) {
    for (strict in c(FALSE, TRUE)) {
      for (n in c(3, 15, 30, 64)) {
        for (delta in c(0.3, 0.8, 1.2)) {
          power_given_n[[length(power_given_n) + 1]] <- list(
            type = type, alternative = alternative, strict = strict, n = n, delta = delta, sd = 1,
            sigLevel = 0.05,
            power = power.t.test(n = n, delta = delta, sd = 1, type = type, alternative = alternative, strict = strict)$power
          )
        }
      }
    }
  }
}
power_given_n[[length(power_given_n) + 1]] <- list(
  type = "two.sample", alternative = "two.sided", strict = FALSE, n = 20, delta = 3, sd = 4, sigLevel = 0.01,
  power = power.t.test(n = 20, delta = 3, sd = 4, sig.level = 0.01)$power
)
n_given_power <- list()
for (type in c("two.sample", "one.sample", "paired")) {
  for (alternative in c("two.sided", "one.sided")) {
    for (strict in c(FALSE, TRUE)) {
      for (power in c(0.8, 0.9)) {
        for (delta in c(0.3, 0.5, 0.8)) {
          # A tight tolerance: the default (eps^0.25) leaves n uncertain in the fourth decimal.
          result <- power.t.test(delta = delta, power = power, type = type, alternative = alternative,
                                 strict = strict, tol = 1e-12)
          n_given_power[[length(n_given_power) + 1]] <- list(
            type = type, alternative = alternative, strict = strict, power = power, delta = delta, sd = 1,
            sigLevel = 0.05, n = result$n
          )
        }
      }
    }
  }
}
delta_given_n <- list()
for (type in c("two.sample", "one.sample")) {
  for (n in c(10, 15, 40)) {
    result <- power.t.test(n = n, power = 0.8, type = type, tol = 1e-12)
    delta_given_n[[length(delta_given_n) + 1]] <- list(type = type, alternative = "two.sided", strict = FALSE,
                                                       n = n, power = 0.8, sd = 1, sigLevel = 0.05, delta = result$delta)
  }
}
write_reference(list(powerGivenN = power_given_n, nGivenPower = n_given_power, deltaGivenN = delta_given_n), "power")
