/* lifecycle.c — the attached member's stage in their life with the chain (so that a silent
 * member is welcomed back), their visits, and their tier progress: the date the tier is held
 * until and what the next tier adds. Read once when the cart changes, drawn from ui->life. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "multiplier.h"
#include "ui_int.h"

void cp_ui_lifecycle_refresh(struct ui *ui)
{
	struct cp_errbuf err = {{0}};

	ui->life_ok = ui->cart->has_member &&
		      cp_lifecycle_get(ui->db, ui->cart->member.id, cp_db_now(ui->db), &ui->life,
				       &err) == CP_OK;
}

const char *cp_ui_lifecycle_stage_name(const char *stage)
{
	static const struct {
		const char *key, *name;
	} names[] = {
		{"new", N_("New")},       {"growing", N_("Growing")}, {"mature", N_("Mature")},
		{"silent", N_("Silent")}, {"lost", N_("Lost")},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(stage, names[i].key) == 0)
			return _(names[i].name);
	return stage;
}

int cp_ui_draw_lifecycle(struct ui *ui, WINDOW *w, int y, int x, int cols, int rows)
{
	const struct cp_lifecycle_view *v = &ui->life;
	bool away;
	char line[256];
	int r = 0;

	if (!ui->life_ok || rows <= 0)
		return 0;
	away = strcmp(v->stage, "silent") == 0 || strcmp(v->stage, "lost") == 0;
	snprintf(line, sizeof(line), _("%s member, %lld visits"),
		 cp_ui_lifecycle_stage_name(v->stage), (long long)v->visits);
	cp_ui_put(w, y + r++, x, cols, line, cp_ui_attr(ui, away ? UI_R_WARN : UI_R_NORMAL), false);
	if (r < rows && v->last_visit[0]) {
		snprintf(line, sizeof(line), _("Last visit %s (%lld days ago)"), v->last_visit,
			 (long long)v->days_since);
		cp_ui_put(w, y + r++, x, cols, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	}
	if (r < rows && away)
		cp_ui_put(w, y + r++, x, cols, _("Not seen for a while: welcome them back!"),
			  cp_ui_attr(ui, UI_R_WARN), false);
	return r + cp_ui_draw_tier_progress(ui, w, y + r, x, cols, rows - r);
}

int cp_ui_draw_tier_progress(struct ui *ui, WINDOW *w, int y, int x, int cols, int rows)
{
	const struct cp_lifecycle_view *v = &ui->life;
	char line[256], a[48];
	int r = 0;

	if (!ui->life_ok || rows <= 0)
		return 0;
	if (v->tier_until[0]) {
		snprintf(line, sizeof(line), _("Tier held until %s"), v->tier_until);
		cp_ui_put(w, y + r++, x, cols, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	}
	if (r < rows && v->has_next) {
		snprintf(line, sizeof(line), _("%s: points %s, %lld growth to go"), v->next_name,
			 cp_ui_multiplier(v->next_multiplier_bp, a, sizeof(a)),
			 (long long)v->next_growth);
		cp_ui_put(w, y + r++, x, cols, line, cp_ui_attr(ui, UI_R_DIM), false);
	}
	return r;
}
