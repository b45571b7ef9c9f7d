# Reference results for backfire's model fitting (src/stats: formula, OLS, LMM).
#
# Generates datasets with fixed seeds, fits them with R (stats::lm, lme4::lmer via lmerTest) and
# writes data plus results as JSON fixtures to test/fixtures/reference/models-*.json. The fixtures
# are committed, so CI needs no R. Regenerate with:
#
#   Rscript scripts/reference/models.R
#
# Precision. lme4's default optimiser (nloptwrap: BOBYQA with ftol_abs = xtol_abs = 1e-8) stops
# where the deviance stops improving by 1e-8, which leaves the variance parameters about 1e-5 from
# the optimum. A reference that is itself 1e-5 off cannot check anything at 1e-6, so the reference
# fits use lme4's own deviance function with a tighter optimiser: BOBYQA at machine-level
# tolerances, then Newton steps on numDeriv gradients (relative steps 1e-3) until the step is below
# 1e-12, which leaves gradients of ~1e-9. Everything
# else (deviance, Satterthwaite df by lmerTest, VarCorr, ranef, anova) is lme4/lmerTest unchanged.
# Each fixture also records the fit with lme4's default control, so the size of lme4's own
# optimiser slack is on record (`lme4Default`).
#
# Factor levels: R sorts character levels in the collation of the current locale. backfire sorts
# by Unicode code point, which is R's order under the C locale, so we set it here.

invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(jsonlite)
  library(numDeriv)
  library(nloptr)
})

args <- commandArgs(trailingOnly = FALSE)
script_path <- sub("^--file=", "", args[grep("^--file=", args)])
root <- normalizePath(file.path(dirname(script_path), "..", ".."))
out_dir <- file.path(root, "test", "fixtures", "reference")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

versions <- list(
  R = R.version.string,
  lme4 = as.character(packageVersion("lme4")),
  lmerTest = as.character(packageVersion("lmerTest")),
  numDeriv = as.character(packageVersion("numDeriv"))
)

# ---------------------------------------------------------------------------------------------
# The tight optimiser. The profiled deviance is unchanged when a column of a relative covariance
# factor changes sign, so we optimise without bounds and then flip every column whose diagonal is
# negative: same deviance, same covariance, inside lme4's bounds.
polished_optimizer <- function(par, fn, lower, upper, control = list(), ...) {
  n <- length(par)
  first <- nloptr(
    x0 = par, eval_f = fn, lb = rep(-Inf, n), ub = rep(Inf, n),
    opts = list(algorithm = "NLOPT_LN_BOBYQA", xtol_abs = 1e-13, ftol_abs = 1e-15,
                xtol_rel = 0, ftol_rel = 0, maxeval = 1e5)
  )
  x <- first$solution
  f0 <- fn(x)
  evaluations <- first$iterations
  for (iteration in seq_len(60)) {
    # Central differences with relative steps of 1e-3 (two Richardson levels): numDeriv::grad's
    # default steps (1e-4) leave ~1e-6 of rounding noise in the gradient of a deviance ~1e3.
    g <- numDeriv::grad(fn, x, method.args = list(eps = 5e-5, d = 1e-3, zero.tol = 0.05, r = 2))
    h <- numDeriv::hessian(fn, x)
    e <- eigen(h, symmetric = TRUE)
    keep <- e$values > max(abs(e$values)) * 1e-9
    if (!any(keep)) break
    coordinates <- crossprod(e$vectors[, keep, drop = FALSE], g) / e$values[keep]
    step <- -drop(e$vectors[, keep, drop = FALSE] %*% coordinates)
    scale <- 1
    accepted <- FALSE
    while (scale > 1e-6) {
      candidate <- x + scale * step
      f1 <- fn(candidate)
      # Near the optimum the decrease is below the deviance's rounding noise; the gradient, not
      # the function value, then decides.
      if (f1 <= f0 + 1e-12 * abs(f0)) {
        accepted <- TRUE
        break
      }
      scale <- scale / 2
    }
    if (!accepted) break
    moved <- max(abs(candidate - x))
    x <- candidate
    f0 <- f1
    if (moved < 1e-12) break
  }
  # Canonical signs: a column starts at a diagonal (lower bound 0) and runs over the following
  # off-diagonal entries (lower bound -Inf).
  diagonal <- which(lower == 0)
  for (position in diagonal) {
    if (x[position] < 0) {
      column <- position
      following <- position + 1
      while (following <= n && is.infinite(lower[following])) {
        column <- c(column, following)
        following <- following + 1
      }
      x[column] <- -x[column]
    }
  }
  list(par = x, fval = fn(x), feval = evaluations, conv = 0, message = "bobyqa + newton polish")
}

tight_control <- lmerControl(optimizer = polished_optimizer, calc.derivs = FALSE)

collect_warnings <- function(expr) {
  messages <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    messages <<- c(messages, conditionMessage(w))
    invokeRestart("muffleWarning")
  }, message = function(m) {
    messages <<- c(messages, trimws(conditionMessage(m)))
    invokeRestart("muffleMessage")
  })
  list(value = value, warnings = messages)
}

columns_of <- function(data) {
  lapply(data, function(column) {
    if (is.factor(column)) I(as.character(column)) else I(column)
  })
}

apply_levels <- function(data, levels) {
  for (name in names(levels)) {
    data[[name]] <- factor(data[[name]], levels = levels[[name]])
  }
  data
}

describe_lmm <- function(model) {
  s <- summary(model)
  coefficients <- s$coefficients
  fixed <- lapply(seq_len(nrow(coefficients)), function(i) list(
    term = rownames(coefficients)[i],
    estimate = coefficients[i, "Estimate"],
    se = coefficients[i, "Std. Error"],
    df = coefficients[i, "df"],
    t = coefficients[i, "t value"],
    p = coefficients[i, "Pr(>|t|)"]
  ))
  varcorr <- as.data.frame(VarCorr(model), order = "lower.tri")
  random <- list()
  correlations <- list()
  for (i in seq_len(nrow(varcorr))) {
    row <- varcorr[i, ]
    if (row$grp == "Residual") next
    if (is.na(row$var2)) {
      random[[length(random) + 1]] <- list(group = row$grp, term = row$var1, variance = row$vcov, sd = row$sdcor)
    } else {
      correlations[[length(correlations) + 1]] <- list(
        group = row$grp, term1 = row$var1, term2 = row$var2, covariance = row$vcov, correlation = row$sdcor
      )
    }
  }
  conditional_modes <- list()
  modes <- ranef(model)
  for (group in names(modes)) {
    frame <- modes[[group]]
    for (level in rownames(frame)) {
      for (term in colnames(frame)) {
        conditional_modes[[length(conditional_modes) + 1]] <- list(
          group = group, level = level, term = term, value = frame[level, term]
        )
      }
    }
  }
  list(
    fixed = fixed,
    random = random,
    correlations = correlations,
    residualVariance = sigma(model)^2,
    sigma = sigma(model),
    logLik = as.numeric(logLik(model)),
    deviance = if (isREML(model)) unname(REMLcrit(model)) else unname(deviance(model)),
    reml = isREML(model),
    theta = I(unname(getME(model, "theta"))),
    singular = isSingular(model, tol = 1e-4),
    nobs = nobs(model),
    ngroups = as.list(ngrps(model)),
    vcov = lapply(seq_len(nrow(vcov(model))), function(i) I(unname(as.matrix(vcov(model))[i, ]))),
    vcovVarpar = lapply(seq_len(nrow(model@vcov_varpar)), function(i) I(unname(model@vcov_varpar[i, ]))),
    conditionalModes = conditional_modes
  )
}

fit_lmm <- function(formula, data, reml, levels = list(), contrasts = list()) {
  data <- apply_levels(data, levels)
  tight <- collect_warnings(lmerTest::lmer(as.formula(formula), data = data, REML = reml, control = tight_control))
  model <- tight$value
  default <- collect_warnings(lme4::lmer(as.formula(formula), data = data, REML = reml))
  result <- describe_lmm(model)
  result$warnings <- I(tight$warnings)
  contrast_tests <- lapply(contrasts, function(weights) {
    test <- lmerTest::contest1D(model, weights)
    list(weights = I(weights), estimate = test$Estimate, se = test$`Std. Error`, df = test$df,
         t = test$`t value`, p = test$`Pr(>|t|)`)
  })
  default_model <- default$value
  list(
    formula = formula,
    reml = reml,
    levels = levels,
    reference = result,
    contrasts = contrast_tests,
    lme4Default = list(
      fixed = I(unname(fixef(default_model))),
      theta = I(unname(getME(default_model, "theta"))),
      logLik = as.numeric(logLik(default_model)),
      warnings = I(default$warnings)
    ),
    model = model
  )
}

compare <- function(reduced, full) {
  table <- anova(reduced$model, full$model)
  list(
    reduced = reduced$formula,
    full = full$formula,
    npar = I(unname(table$npar)),
    logLik = I(unname(table$logLik)),
    deviance = I(unname(table$deviance)),
    AIC = I(unname(table$AIC)),
    BIC = I(unname(table$BIC)),
    chisq = unname(table$Chisq[2]),
    df = unname(table$Df[2]),
    p = unname(table$`Pr(>Chisq)`[2])
  )
}

write_fixture <- function(name, description, data, fits, comparisons = list()) {
  fits_out <- lapply(fits, function(fit) {
    fit$model <- NULL
    fit
  })
  fixture <- list(
    name = name,
    description = description,
    generatedBy = "scripts/reference/models.R",
    versions = versions,
    data = columns_of(data),
    fits = fits_out,
    comparisons = comparisons
  )
  path <- file.path(out_dir, paste0("models-", name, ".json"))
  write_json(fixture, path, digits = NA, auto_unbox = TRUE, pretty = FALSE)
  cat("wrote", path, "\n")
}

languages <- c("ar", "bn", "de", "en", "es", "fr", "hi", "id", "it", "ja", "ko", "pt", "ru", "sw", "tr", "zh")

# ---------------------------------------------------------------------------------------------
# The paper's Study 2 design: runs within 16 languages, 5 doses x 15 runs = 1,200 rows.
set.seed(20260301)
design <- expand.grid(replicate = 1:15, k = c(0, 3, 5, 7, 10), language = languages, stringsAsFactors = FALSE)
group_of <- setNames(rep(c("amplify", "suppress"), each = 8), sample(languages))
design$language_group <- unname(group_of[design$language])
intercepts <- setNames(rnorm(16, 0, 0.35), languages)
slopes <- setNames(rnorm(16, 0, 0.04), languages)
direction <- ifelse(design$language_group == "amplify", 0.05, -0.06)
design$cpi <- round(0.3 + direction * design$k + intercepts[design$language] + slopes[design$language] * design$k +
  rnorm(nrow(design), 0, 1), 6)
study2 <- design[, c("language", "language_group", "k", "cpi")]

interaction_reml <- fit_lmm("cpi ~ k * language_group + (1 | language)", study2, TRUE,
                            contrasts = list(c(0, 1, 0, 1)))
interaction_ml <- fit_lmm("cpi ~ k * language_group + (1 | language)", study2, FALSE)
additive_ml <- fit_lmm("cpi ~ k + language_group + (1 | language)", study2, FALSE)
interaction_relevel <- fit_lmm("cpi ~ k * language_group + (1 | language)", study2, TRUE,
                               levels = list(language_group = c("suppress", "amplify")))
write_fixture(
  "lmm-paper-interaction",
  "Study 2 design: cpi ~ k * language_group + (1 | language), 16 languages x 5 doses x 15 runs",
  study2,
  list(interaction_reml, interaction_ml, additive_ml, interaction_relevel),
  list(compare(additive_ml, interaction_ml))
)

slopes_reml <- fit_lmm("cpi ~ k + (1 + k | language)", study2, TRUE)
slopes_ml <- fit_lmm("cpi ~ k + (1 + k | language)", study2, FALSE)
intercept_only_ml <- fit_lmm("cpi ~ k + (1 | language)", study2, FALSE)
uncorrelated_reml <- fit_lmm("cpi ~ k + (1 + k || language)", study2, TRUE)
write_fixture(
  "lmm-paper-slopes",
  "Study 2 design: cpi ~ k + (1 + k | language), correlated random slopes on 1,200 rows",
  study2,
  list(slopes_reml, slopes_ml, intercept_only_ml, uncorrelated_reml),
  list(compare(intercept_only_ml, slopes_ml))
)

# ---------------------------------------------------------------------------------------------
# Agents within runs within languages: di ~ condition + (1 | language/run). Run labels repeat
# across languages, which is why the nesting operator (run:language) is needed.
set.seed(20260302)
agents <- expand.grid(agent = 1:10, run = sprintf("r%02d", 1:10), language = languages, stringsAsFactors = FALSE)
agents$condition <- ifelse(as.integer(sub("r", "", agents$run)) <= 5, "aligned", "baseline")
language_effect <- setNames(rnorm(16, 0, 0.25), languages)
run_effect <- rnorm(160, 0, 0.4)
run_index <- as.integer(factor(paste(agents$language, agents$run)))
agents$di <- round(0.1 + 0.3 * (agents$condition == "aligned") + language_effect[agents$language] +
  run_effect[run_index] + rnorm(nrow(agents), 0, 1), 6)
agents <- agents[, c("language", "run", "agent", "condition", "di")]
nested <- fit_lmm("di ~ condition + (1 | language/run)", agents, TRUE)
nested_ml <- fit_lmm("di ~ condition + (1 | language/run)", agents, FALSE)
nested_reduced_ml <- fit_lmm("di ~ condition + (1 | language)", agents, FALSE)
write_fixture(
  "lmm-paper-nested",
  "Agents within runs within 16 languages: di ~ condition + (1 | language/run), 1,600 rows",
  agents,
  list(nested, nested_ml, nested_reduced_ml),
  list(compare(nested_reduced_ml, nested_ml))
)

# ---------------------------------------------------------------------------------------------
# Crossed random effects, unbalanced (15% of subject x item cells missing).
set.seed(20260303)
crossed <- expand.grid(subject = sprintf("s%02d", 1:30), item = sprintf("i%02d", 1:20), stringsAsFactors = FALSE)
crossed <- crossed[runif(nrow(crossed)) > 0.15, ]
crossed$x <- round(rnorm(nrow(crossed)), 6)
subject_effect <- setNames(rnorm(30, 0, 0.8), sprintf("s%02d", 1:30))
item_effect <- setNames(rnorm(20, 0, 0.5), sprintf("i%02d", 1:20))
crossed$y <- round(1 + 0.4 * crossed$x + subject_effect[crossed$subject] + item_effect[crossed$item] +
  rnorm(nrow(crossed), 0, 1), 6)
crossed_fit <- fit_lmm("y ~ x + (1 | subject) + (1 | item)", crossed, TRUE)
crossed_slopes <- fit_lmm("y ~ x + (1 + x | subject) + (1 | item)", crossed, TRUE)
write_fixture(
  "lmm-crossed",
  "Crossed subjects x items, unbalanced: y ~ x + (1 | subject) + (1 | item)",
  crossed,
  list(crossed_fit, crossed_slopes)
)

# ---------------------------------------------------------------------------------------------
# Unbalanced design with small groups (1 to 5 rows per cluster), a 3-level factor and a
# factor x numeric interaction; and a no-intercept formula.
set.seed(20260304)
sizes <- sample(1:5, 40, replace = TRUE)
small <- data.frame(cluster = rep(sprintf("c%02d", 1:40), sizes), stringsAsFactors = FALSE)
small$x <- round(rnorm(nrow(small)), 6)
small$arm <- sample(c("control", "low", "high"), nrow(small), replace = TRUE)
cluster_effect <- setNames(rnorm(40, 0, 0.7), sprintf("c%02d", 1:40))
arm_effect <- c(control = 0, low = 0.3, high = 0.8)
small$y <- round(2 + 0.5 * small$x + arm_effect[small$arm] + 0.3 * small$x * (small$arm == "high") +
  cluster_effect[small$cluster] + rnorm(nrow(small), 0, 1), 6)
small_fit <- fit_lmm("y ~ x * arm + (1 | cluster)", small, TRUE, contrasts = list(c(0, 1, 0, 0, 1, 0)))
no_intercept <- fit_lmm("y ~ 0 + arm + x + (1 | cluster)", small, TRUE)
write_fixture(
  "lmm-small-groups",
  "40 clusters of 1 to 5 rows: y ~ x * arm + (1 | cluster) and y ~ 0 + arm + x + (1 | cluster)",
  small,
  list(small_fit, no_intercept)
)

# ---------------------------------------------------------------------------------------------
# Singular and near-singular fits.
set.seed(20260305)
flat <- data.frame(g = rep(sprintf("g%d", 1:8), each = 6), stringsAsFactors = FALSE)
flat$x <- round(rnorm(nrow(flat)), 6)
flat$y <- round(1 + 0.5 * flat$x + rnorm(nrow(flat), 0, 1), 6)
singular_intercept <- fit_lmm("y ~ x + (1 | g)", flat, TRUE)

set.seed(20260306)
tiny <- data.frame(g = rep(sprintf("g%02d", 1:12), each = 10), stringsAsFactors = FALSE)
tiny$x <- round(rnorm(nrow(tiny)), 6)
group_intercepts <- setNames(rnorm(12, 0, 0.6), sprintf("g%02d", 1:12))
group_slopes <- setNames(rnorm(12, 0, 0.02), sprintf("g%02d", 1:12))
tiny$y <- round(1 + 0.5 * tiny$x + group_intercepts[tiny$g] + group_slopes[tiny$g] * tiny$x +
  rnorm(nrow(tiny), 0, 1), 6)
near_singular_slopes <- fit_lmm("y ~ x + (1 + x | g)", tiny, TRUE)
write_fixture(
  "lmm-singular",
  "A random intercept with no between-group variance, and random slopes with almost none",
  flat,
  list(singular_intercept)
)
write_fixture(
  "lmm-near-singular",
  "Random slopes whose variance is nearly zero: y ~ x + (1 + x | g)",
  tiny,
  list(near_singular_slopes)
)

# ---------------------------------------------------------------------------------------------
# OLS, equal to summary(lm()).
set.seed(20260307)
ols <- data.frame(x = round(rnorm(90), 6), x2 = round(runif(90, 0, 10), 6),
                  g = sample(c("b", "a", "c"), 90, replace = TRUE),
                  h = sample(c("on", "off"), 90, replace = TRUE), stringsAsFactors = FALSE)
ols$y <- round(1 + 0.8 * ols$x - 0.1 * ols$x2 + c(a = 0, b = 0.5, c = -0.4)[ols$g] +
  0.6 * ols$x * (ols$g == "c") + 0.3 * (ols$h == "on") + rnorm(90, 0, 0.9), 6)

describe_ols <- function(formula, data, levels = list()) {
  data <- apply_levels(data, levels)
  model <- lm(as.formula(formula), data = data)
  s <- summary(model)
  coefficients <- s$coefficients
  fstatistic <- s$fstatistic
  list(
    formula = formula,
    levels = levels,
    reference = list(
      coefficients = lapply(seq_len(nrow(coefficients)), function(i) list(
        term = rownames(coefficients)[i],
        estimate = coefficients[i, 1], se = coefficients[i, 2], t = coefficients[i, 3], p = coefficients[i, 4]
      )),
      sigma = s$sigma,
      rSquared = s$r.squared,
      adjustedRSquared = s$adj.r.squared,
      fStatistic = if (is.null(fstatistic)) NULL else unname(fstatistic["value"]),
      fNumeratorDf = if (is.null(fstatistic)) NULL else unname(fstatistic["numdf"]),
      fDenominatorDf = if (is.null(fstatistic)) NULL else unname(fstatistic["dendf"]),
      fP = if (is.null(fstatistic)) NULL else unname(pf(fstatistic["value"], fstatistic["numdf"],
                                                       fstatistic["dendf"], lower.tail = FALSE)),
      residualDf = model$df.residual,
      logLik = as.numeric(logLik(model)),
      AIC = AIC(model),
      BIC = BIC(model),
      nobs = nobs(model)
    )
  )
}
ols_fits <- list(
  describe_ols("y ~ x * g", ols),
  describe_ols("y ~ x * g", ols, levels = list(g = c("c", "a", "b"))),
  describe_ols("y ~ 0 + g + x", ols),
  describe_ols("y ~ x + x2", ols),
  describe_ols("y ~ g * h", ols),
  describe_ols("y ~ 1", ols),
  describe_ols("y ~ x - 1", ols),
  describe_ols("y ~ g/x", ols),
  describe_ols("y ~ (x + g + h)^2", ols)
)
fixture <- list(name = "ols", description = "OLS with factors, interactions and no-intercept formulas",
                generatedBy = "scripts/reference/models.R", versions = versions,
                data = columns_of(ols), fits = ols_fits)
write_json(fixture, file.path(out_dir, "models-ols.json"), digits = NA, auto_unbox = TRUE)
cat("wrote models-ols.json\n")

# An LMM against the OLS model without random effects: both maximum likelihood.
lmm_vs_lm <- fit_lmm("y ~ x + (1 | g)", tiny, FALSE)
lm_fit <- lm(y ~ x, data = tiny)
lmm_lm <- list(
  lmmLogLik = lmm_vs_lm$reference$logLik,
  olsLogLik = as.numeric(logLik(lm_fit)),
  chisq = 2 * (lmm_vs_lm$reference$logLik - as.numeric(logLik(lm_fit))),
  df = 1,
  p = pchisq(2 * (lmm_vs_lm$reference$logLik - as.numeric(logLik(lm_fit))), 1, lower.tail = FALSE)
)
write_json(list(name = "lmm-vs-ols", description = "ML random-intercept model against lm() on the same data",
                generatedBy = "scripts/reference/models.R", versions = versions,
                data = columns_of(tiny), formulaLmm = "y ~ x + (1 | g)", formulaOls = "y ~ x", reference = lmm_lm),
           file.path(out_dir, "models-lmm-vs-ols.json"), digits = NA, auto_unbox = TRUE)

# ---------------------------------------------------------------------------------------------
# Formula semantics: term labels, model-matrix column names and random-effect terms as R and
# lme4 see them.
set.seed(20260308)
frame <- data.frame(y = rnorm(60), x = rnorm(60), z = rnorm(60),
                    a = rep(c("b", "a", "c"), 20), b = rep(c("u", "v"), 30),
                    g = rep(sprintf("g%d", 1:6), each = 10), h = rep(sprintf("h%d", 1:5), 12),
                    run = rep(sprintf("r%d", 1:3), 20), stringsAsFactors = FALSE)
formulas <- c(
  "y ~ x", "y ~ x * a", "y ~ a * x", "y ~ x:a", "y ~ 0 + a", "y ~ a - 1", "y ~ 0 + x + a",
  "y ~ a + a:b", "y ~ a/b", "y ~ a/x", "y ~ (x + a + b)^2", "y ~ x * a * b", "y ~ x * z - x",
  "y ~ b:a + a", "y ~ x %in% a", "y ~ -1 + x + a:b", "y ~ 1", "y ~ 0 + x:a + z",
  "y ~ x + (1 | g)", "y ~ x + (1 + x | g)", "y ~ x + (x | g)", "y ~ x + (0 + x | g)",
  "y ~ x + (1 | g/run)", "y ~ x + (1 | g) + (1 | h)", "y ~ x + (1 + x || g)", "y ~ a + (1 + a | g)",
  "y ~ x + (1 | g:run)", "y ~ x + (1 | h) + (1 + x | g)"
)
describe_formula <- function(text) {
  f <- as.formula(text)
  fixed <- lme4::nobars(f)
  tt <- terms(fixed)
  mm <- model.matrix(fixed, frame)
  out <- list(
    formula = text,
    response = as.character(f[[2]]),
    intercept = attr(tt, "intercept") == 1,
    termLabels = I(attr(tt, "term.labels")),
    columns = I(colnames(mm))
  )
  bars <- lme4::findbars(f)
  if (length(bars) > 0) {
    parsed <- lme4::lFormula(f, frame, control = lmerControl(check.nobs.vs.nlev = "ignore",
                                                             check.nobs.vs.nRE = "ignore",
                                                             check.rankX = "ignore"))
    out$random <- lapply(seq_along(parsed$reTrms$cnms), function(i) list(
      group = names(parsed$reTrms$cnms)[i],
      columns = I(parsed$reTrms$cnms[[i]]),
      levels = length(levels(parsed$reTrms$flist[[names(parsed$reTrms$cnms)[i]]]))
    ))
    out$randomLevels <- lapply(parsed$reTrms$flist, function(f) I(levels(f)))
  }
  out
}
write_json(list(name = "formulas", generatedBy = "scripts/reference/models.R", versions = versions,
                data = columns_of(frame), formulas = lapply(formulas, describe_formula)),
           file.path(out_dir, "models-formulas.json"), digits = NA, auto_unbox = TRUE)
cat("wrote models-formulas.json\n")
