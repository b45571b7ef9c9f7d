# Reference results for backfire's generalised linear (mixed) models (src/stats/glm.ts, glmm.ts).
#
# Generates datasets with fixed seeds, fits them with lme4::glmer and stats::glm and writes data plus
# results to test/fixtures/reference/glmm.json (committed; CI needs no R). Regenerate with:
#
#   Rscript scripts/reference/glmm.R
#
# Three fits per GLMM case:
#   - `reference`: lme4's own deviance function (glmer's Laplace or adaptive Gauss-Hermite
#     objective, PIRLS tolerance 1e-13: at glmer's default 1e-7, and
#     even at 1e-10, the objective itself still carries ~1e-5 of unconverged PIRLS) minimised by BOBYQA at machine tolerances and then Newton
#     steps on numDeriv derivatives; standard errors, logLik, AIC and everything else are lme4's,
#     computed at that optimum. This is the point backfire is tested against.
#   - `bobyqa`: glmer with its default control (optimizer = c("bobyqa", "bobyqa")).
#   - `nelderMead`: glmer with optimizer = "Nelder_Mead".
# The two default-control fits are what a user of lme4 gets; the difference between them (`spread`)
# is how far lme4's own answer moves with the choice of optimiser, which is what the tolerances of
# the tests are measured against (src/stats/README.md).
#
# Factor levels: C collation, as backfire sorts by code point.

invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages({
  library(lme4)
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
  numDeriv = as.character(packageVersion("numDeriv"))
)

# The tight optimiser for glmer's second stage: parameters are (theta, beta). The deviance is
# unchanged when a column of a relative covariance factor changes sign (with the matching spherical
# random effects), so theta is optimised without bounds and flipped into lme4's bounds afterwards.
polished_optimizer_for <- function(ntheta) {
  function(par, fn, lower, upper, control = list(), ...) {
    n <- length(par)
    first <- nloptr(
      x0 = par, eval_f = fn, lb = rep(-Inf, n), ub = rep(Inf, n),
      opts = list(algorithm = "NLOPT_LN_BOBYQA", xtol_abs = 1e-12, ftol_abs = 1e-14,
                  xtol_rel = 0, ftol_rel = 0, maxeval = 1e5)
    )
    x <- first$solution
    f0 <- fn(x)
    for (iteration in seq_len(40)) {
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
      if (moved < 1e-11) break
    }
    diagonal <- which(lower[seq_len(ntheta)] == 0)
    for (position in diagonal) {
      if (x[position] < 0) {
        column <- position
        following <- position + 1
        while (following <= ntheta && is.infinite(lower[following])) {
          column <- c(column, following)
          following <- following + 1
        }
        x[column] <- -x[column]
      }
    }
    list(par = x, fval = fn(x), feval = first$iterations, conv = 0, message = "bobyqa + newton polish")
  }
}

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

describe_glmm <- function(model, warnings) {
  s <- summary(model)
  coefficients <- s$coefficients
  fixed <- lapply(seq_len(nrow(coefficients)), function(i) list(
    term = rownames(coefficients)[i],
    estimate = coefficients[i, 1],
    se = coefficients[i, 2],
    z = coefficients[i, 3],
    p = coefficients[i, 4]
  ))
  varcorr <- as.data.frame(VarCorr(model), order = "lower.tri")
  random <- list()
  correlations <- list()
  for (i in seq_len(nrow(varcorr))) {
    row <- varcorr[i, ]
    if (is.na(row$var2)) {
      random[[length(random) + 1]] <- list(group = row$grp, term = row$var1, variance = row$vcov, sd = row$sdcor)
    } else {
      correlations[[length(correlations) + 1]] <- list(
        group = row$grp, term1 = row$var1, term2 = row$var2, covariance = row$vcov, correlation = row$sdcor
      )
    }
  }
  v <- as.matrix(vcov(model))
  list(
    fixed = fixed,
    random = random,
    correlations = correlations,
    logLik = as.numeric(logLik(model)),
    df = attr(logLik(model), "df"),
    AIC = AIC(model),
    BIC = BIC(model),
    deviance = deviance(model),
    objective = unname(model@devcomp$cmp[["dev"]]),
    theta = I(unname(getME(model, "theta"))),
    singular = isSingular(model, tol = 1e-4),
    nobs = nobs(model),
    ngroups = as.list(ngrps(model)),
    vcov = lapply(seq_len(nrow(v)), function(i) I(unname(v[i, ]))),
    warnings = I(warnings)
  )
}

glmm_case <- function(name, description, formula, data, family, nAGQ = 1) {
  formula <- as.formula(formula)
  ntheta <- length(glFormula(formula, data = data, family = family)$reTrms$theta)
  tight <- collect_warnings(glmer(formula, data = data, family = family, nAGQ = nAGQ,
    control = glmerControl(optimizer = polished_optimizer_for(ntheta), tolPwrss = 1e-13,
                           check.conv.singular = "warning")))
  bobyqa <- collect_warnings(glmer(formula, data = data, family = family, nAGQ = nAGQ))
  nelder <- collect_warnings(glmer(formula, data = data, family = family, nAGQ = nAGQ,
    control = glmerControl(optimizer = "Nelder_Mead")))
  reference <- describe_glmm(tight$value, tight$warnings)
  default_fit <- describe_glmm(bobyqa$value, bobyqa$warnings)
  nm_fit <- describe_glmm(nelder$value, nelder$warnings)
  relative <- function(a, b) abs(a - b) / pmax(abs(b), 1e-8)
  fixed_of <- function(fit, field) sapply(fit$fixed, function(row) row[[field]])
  spread <- list(
    estimate = max(relative(fixed_of(default_fit, "estimate"), fixed_of(nm_fit, "estimate"))),
    se = max(relative(fixed_of(default_fit, "se"), fixed_of(nm_fit, "se"))),
    p = max(abs(fixed_of(default_fit, "p") - fixed_of(nm_fit, "p"))),
    logLik = abs(default_fit$logLik - nm_fit$logLik),
    theta = max(abs(default_fit$theta - nm_fit$theta)),
    bobyqaVsReference = max(relative(fixed_of(default_fit, "estimate"), fixed_of(reference, "estimate"))),
    nelderMeadVsReference = max(relative(fixed_of(nm_fit, "estimate"), fixed_of(reference, "estimate")))
  )
  cat(sprintf("%-28s spread est %.2e se %.2e p %.2e logLik %.2e  bobyqa-ref %.2e  nm-ref %.2e\n", name,
              spread$estimate, spread$se, spread$p, spread$logLik, spread$bobyqaVsReference, spread$nelderMeadVsReference))
  list(kind = "glmm", name = name, description = description, formula = deparse(formula, width.cutoff = 500),
       family = family$family, link = family$link, nAGQ = nAGQ, data = columns_of(data),
       reference = reference, bobyqa = default_fit, nelderMead = nm_fit, spread = spread)
}

glm_case <- function(name, description, formula, data, family) {
  model <- glm(as.formula(formula), data = data, family = family)
  s <- summary(model)
  coefficients <- s$coefficients
  list(kind = "glm", name = name, description = description, formula = formula, family = family$family,
       link = family$link, data = columns_of(data),
       fit = list(
         fixed = lapply(seq_len(nrow(coefficients)), function(i) list(
           term = rownames(coefficients)[i], estimate = coefficients[i, 1], se = coefficients[i, 2],
           z = coefficients[i, 3], p = coefficients[i, 4])),
         logLik = as.numeric(logLik(model)), df = attr(logLik(model), "df"), AIC = AIC(model), BIC = BIC(model),
         deviance = deviance(model), nullDeviance = model$null.deviance, dfResidual = model$df.residual,
         dfNull = model$df.null, iterations = model$iter))
}

cases <- list()

# 1. Binomial counts, random intercepts: conformity vs individuation counts per run, runs in languages.
set.seed(101)
groups <- 18
per <- 6
d1 <- data.frame(language = factor(rep(sprintf("L%02d", 1:groups), each = per)),
                 k = rep(c(0, 2, 4, 6, 8, 10), groups))
u <- rnorm(groups, 0, 0.6)
trials <- rpois(nrow(d1), 12) + 1
eta <- 0.8 + 0.12 * (d1$k - 5) + u[as.integer(d1$language)]
d1$conformity <- rbinom(nrow(d1), trials, plogis(eta))
d1$individuation <- trials - d1$conformity
cases[[length(cases) + 1]] <- glmm_case("binomial-counts-intercept", "cbind counts, random intercepts, 18 groups",
  "cbind(conformity, individuation) ~ k + (1 | language)", d1, binomial())
cases[[length(cases) + 1]] <- glmm_case("binomial-counts-agq9", "the same data by adaptive Gauss-Hermite, 9 nodes",
  "cbind(conformity, individuation) ~ k + (1 | language)", d1, binomial(), nAGQ = 9)

# 2. Binomial 0/1 with correlated random slopes and a factor.
set.seed(202)
groups <- 16
per <- 40
d2 <- data.frame(g = factor(rep(sprintf("g%02d", 1:groups), each = per)),
                 x = round(rnorm(groups * per), 3),
                 arm = factor(rep(c("control", "treated"), groups * per / 2)))
b0 <- rnorm(groups, 0, 0.7)
b1 <- 0.5 * b0 + rnorm(groups, 0, 0.4)
eta <- -0.3 + (0.6 + b1[as.integer(d2$g)]) * d2$x + 0.5 * (d2$arm == "treated") + b0[as.integer(d2$g)]
d2$y <- rbinom(nrow(d2), 1, plogis(eta))
cases[[length(cases) + 1]] <- glmm_case("binomial-binary-slopes", "0/1 outcome, correlated random slopes, a factor",
  "y ~ x + arm + (1 + x | g)", d2, binomial())

# 3. Poisson with an offset.
set.seed(303)
groups <- 20
per <- 8
d3 <- data.frame(site = factor(rep(sprintf("s%02d", 1:groups), each = per)),
                 dose = rep(0:7, groups) / 7,
                 exposure = round(runif(groups * per, 0.5, 4), 2))
u <- rnorm(groups, 0, 0.5)
d3$events <- rpois(nrow(d3), d3$exposure * exp(0.4 + 0.7 * d3$dose + u[as.integer(d3$site)]))
cases[[length(cases) + 1]] <- glmm_case("poisson-offset", "counts with offset(log(exposure)), random intercepts",
  "events ~ dose + offset(log(exposure)) + (1 | site)", d3, poisson())
cases[[length(cases) + 1]] <- glmm_case("poisson-offset-agq9", "the same Poisson model by adaptive Gauss-Hermite, 9 nodes",
  "events ~ dose + offset(log(exposure)) + (1 | site)", d3, poisson(), nAGQ = 9)

# 4. Nested: runs within languages, binomial counts.
set.seed(404)
languages <- 8
runs <- 5
per <- 4
d4 <- expand.grid(rep = 1:per, run = sprintf("r%d", 1:runs), language = sprintf("L%d", 1:languages))
d4$run <- factor(d4$run)
d4$language <- factor(d4$language)
d4$treated <- factor(ifelse(d4$rep %% 2 == 0, "yes", "no"))
ul <- rnorm(languages, 0, 0.5)
ur <- rnorm(languages * runs, 0, 0.4)
run_index <- (as.integer(d4$language) - 1) * runs + as.integer(d4$run)
n_trials <- rpois(nrow(d4), 8) + 2
eta <- -0.2 + 0.6 * (d4$treated == "yes") + ul[as.integer(d4$language)] + ur[run_index]
d4$successes <- rbinom(nrow(d4), n_trials, plogis(eta))
d4$failures <- n_trials - d4$successes
d4$rep <- NULL
cases[[length(cases) + 1]] <- glmm_case("binomial-nested", "runs nested in languages, cbind counts",
  "cbind(successes, failures) ~ treated + (1 | language/run)", d4, binomial())

# 5. Crossed Poisson (runs x personas).
set.seed(505)
d5 <- expand.grid(persona = sprintf("p%02d", 1:10), run = sprintf("run%02d", 1:15))
d5$persona <- factor(d5$persona)
d5$run <- factor(d5$run)
d5$pdi <- round(rnorm(nrow(d5)), 3)
up <- rnorm(10, 0, 0.3)
ur <- rnorm(15, 0, 0.5)
d5$count <- rpois(nrow(d5), exp(1 + 0.2 * d5$pdi + up[as.integer(d5$persona)] + ur[as.integer(d5$run)]))
cases[[length(cases) + 1]] <- glmm_case("poisson-crossed", "crossed run and persona effects",
  "count ~ pdi + (1 | run) + (1 | persona)", d5, poisson())

# 6. Near-singular: a tiny group variance in 0/1 data.
set.seed(606)
groups <- 12
per <- 30
d6 <- data.frame(g = factor(rep(sprintf("g%02d", 1:groups), each = per)), x = round(rnorm(groups * per), 3))
u <- rnorm(groups, 0, 0.05)
d6$y <- rbinom(nrow(d6), 1, plogis(0.2 + 0.8 * d6$x + u[as.integer(d6$g)]))
cases[[length(cases) + 1]] <- glmm_case("binomial-small-variance", "0/1 outcome, small group variance",
  "y ~ x + (1 | g)", d6, binomial())

# 7. Singular: 0/1 data whose group variance lme4 puts on the boundary (theta ~ 2e-8, isSingular).
set.seed(604)
d7 <- data.frame(g = factor(rep(sprintf("g%02d", 1:groups), each = per)), x = round(rnorm(groups * per), 3))
u <- rnorm(groups, 0, 0.05)
d7$y <- rbinom(nrow(d7), 1, plogis(0.2 + 0.8 * d7$x + u[as.integer(d7$g)]))
cases[[length(cases) + 1]] <- glmm_case("binomial-singular", "0/1 outcome whose group variance is estimated at the boundary",
  "y ~ x + (1 | g)", d7, binomial())

# GLMs.
cases[[length(cases) + 1]] <- glm_case("glm-binomial-counts", "cbind counts",
  "cbind(conformity, individuation) ~ k + language", d1, binomial())
cases[[length(cases) + 1]] <- glm_case("glm-binomial-binary", "0/1 with a factor and an interaction",
  "y ~ x * arm", d2, binomial())
cases[[length(cases) + 1]] <- glm_case("glm-poisson-offset", "counts with an offset",
  "events ~ dose + offset(log(exposure))", d3, poisson())

fixture <- list(name = "glmm", generatedBy = "scripts/reference/glmm.R", versions = versions, cases = cases)
write_json(fixture, file.path(out_dir, "glmm.json"), digits = NA, auto_unbox = TRUE)
