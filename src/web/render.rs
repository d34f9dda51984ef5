//! Page rendering: handlebars templates embedded from `templates/` at build time, strict mode
//! (a missing variable is an error, not an empty string), one layout for every page.
//!
//! A page template holds only its `<main>` content; [`Templates::page`] renders it, then renders
//! `layout.hbs` around the HTML obtained. (A `{{#> layout}}` partial block would copy the whole
//! page context on entry and every item of every `{{#each}}` inside it: that was most of the
//! cost of a page.)

use crate::auth::CurrentUser;
use crate::error::AppError;
use axum::response::Html;
use handlebars::Handlebars;
use serde::Serialize;

#[derive(rust_embed::RustEmbed)]
#[folder = "templates/"]
struct PageTemplates;

/// The registry of page templates.
pub struct Templates {
    hb: Handlebars<'static>,
}

impl Templates {
    /// Loads every embedded template.
    ///
    /// # Errors
    /// A template does not compile.
    pub fn new() -> anyhow::Result<Self> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_embed_templates_with_extension::<PageTemplates>(".hbs")?;
        hb.register_helper("eq", Box::new(eq_helper));
        Ok(Self { hb })
    }

    /// Renders one page inside the layout.
    ///
    /// # Errors
    /// A rendering error (a bug: logged, shown as a generic error).
    pub fn page<T: Serialize>(
        &self,
        name: &str,
        page: &Page<'_, T>,
    ) -> Result<Html<String>, AppError> {
        let content = self.render(name, page)?;
        self.around(page, &content)
    }

    /// Renders the content of a page that shows nothing of the session — no CSRF token, no
    /// name, no message — only its view, the groupement and whether the caller is the
    /// coordonnateur; so its HTML may be kept and served to every caller of that groupement
    /// with that role. The template sees only those three (strict mode refuses anything else).
    ///
    /// # Errors
    /// A rendering error (a bug).
    pub fn shared_content<T: Serialize>(
        &self,
        name: &str,
        groupement_id: i32,
        is_coordonnateur: bool,
        body: &T,
    ) -> Result<String, AppError> {
        self.render(
            name,
            &SharedContent {
                groupement_id,
                is_coordonnateur,
                body,
            },
        )
    }

    /// Renders the layout of `page` around an already rendered content (its own `body` is not
    /// shown).
    ///
    /// # Errors
    /// A rendering error (a bug).
    pub fn around<T: Serialize>(
        &self,
        page: &Page<'_, T>,
        content: &str,
    ) -> Result<Html<String>, AppError> {
        let layout = Layout {
            title: &page.title,
            user: page.user,
            role_label: page.role_label,
            is_coordonnateur: page.is_coordonnateur,
            groupement_id: page.groupement_id,
            csrf: &page.csrf,
            flash: page.flash.as_deref(),
            errors: &page.errors,
            must_change_password: page.user.is_some_and(|u| u.must_change_password),
            second_factor_banner: page
                .user
                .is_some_and(|u| u.second_factor_expected() && !u.totp_enabled),
            content,
        };
        self.render("layout", &layout).map(Html)
    }

    fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, AppError> {
        self.hb
            .render(name, data)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("gabarit {name} : {e}")))
    }
}

/// The context of [`Templates::shared_content`].
#[derive(Serialize)]
struct SharedContent<'a, T: Serialize> {
    groupement_id: i32,
    is_coordonnateur: bool,
    body: &'a T,
}

/// What the layout shows around a page's content.
#[derive(Serialize)]
struct Layout<'a> {
    title: &'a str,
    user: Option<&'a CurrentUser>,
    role_label: &'static str,
    is_coordonnateur: bool,
    groupement_id: Option<i32>,
    csrf: &'a str,
    flash: Option<&'a str>,
    errors: &'a [String],
    /// The password must be changed first (see `web::security::check`).
    must_change_password: bool,
    /// The coordonnateur or the président of the CAO has no second factor yet.
    second_factor_banner: bool,
    /// The page's own HTML, already escaped by its template.
    content: &'a str,
}

fn eq_helper(
    h: &handlebars::Helper<'_>,
    _: &Handlebars<'_>,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext<'_, '_>,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let a = h.param(0).map(handlebars::PathAndJson::value);
    let b = h.param(1).map(handlebars::PathAndJson::value);
    if a == b {
        out.write("true")?;
    }
    Ok(())
}

/// What every page gets besides its own view-model.
#[derive(Serialize)]
pub struct Page<'a, T: Serialize> {
    pub title: String,
    pub user: Option<&'a CurrentUser>,
    pub role_label: &'static str,
    pub is_coordonnateur: bool,
    pub groupement_id: Option<i32>,
    pub csrf: String,
    pub flash: Option<String>,
    pub errors: Vec<String>,
    pub body: T,
}

impl<'a, T: Serialize> Page<'a, T> {
    /// A page for `user` (or anonymous) with its CSRF token.
    pub fn new(
        title: impl Into<String>,
        user: Option<&'a CurrentUser>,
        csrf: String,
        body: T,
    ) -> Self {
        Self {
            title: title.into(),
            user,
            role_label: user.map_or("", |u| u.role.label()),
            is_coordonnateur: user.is_some_and(|u| u.role == crate::auth::Role::Coordonnateur),
            groupement_id: user.and_then(|u| u.groupement_id),
            csrf,
            flash: None,
            errors: Vec::new(),
            body,
        }
    }

    /// Adds a confirmation message.
    #[must_use]
    pub fn flash(mut self, msg: Option<String>) -> Self {
        self.flash = msg;
        self
    }

    /// Adds error messages (form re-rendered with a 422).
    #[must_use]
    pub fn errors(mut self, errs: Vec<String>) -> Self {
        self.errors = errs;
        self
    }
}
